import { ActiveSpeakerSelector } from './active-speaker.js';
import { SpeakingDetector } from './speaking-detector.js';

/**
 * Ten levels a second: enough for the detector's 250 ms onset. A remote level costs one
 * `getStats()` of the audio receiver alone, a local one a read of an analyser.
 */
export const LEVEL_INTERVAL_MS = 100;

/**
 * The analyser's window, in samples: longer than the interval at 48 kHz (170 ms), so that every
 * sample of the microphone is measured once at least and a short sound between two reads counts.
 */
const ANALYSER_WINDOW = 8192;

export interface SpeakingMonitorSource {
  /** Remote participants whose audio is up: the receiver of their microphone, and whether they said they muted. */
  remotes(): Array<{ userId: string; receiver: RTCRtpReceiver | null; muted: boolean }>;
  /** Our own microphone as sent (null without one) and whether it is muted. */
  local(): { userId: string; track: MediaStreamTrack | null; muted: boolean };
}

export interface SpeakingMonitorHandlers {
  onSpeaking(userId: string, speaking: boolean): void;
  /** The remote participant the speaker layout shows large changed. */
  onActiveSpeaker(userId: string | null): void;
}

/** The receiver's cumulative audio energy: the level over an interval is the root of its mean. */
interface EnergyReading {
  totalAudioEnergy: number;
  totalSamplesDuration: number;
}

/**
 * The level (0..1) over the interval between two readings of `totalAudioEnergy`: unlike the
 * instantaneous `audioLevel` of the last packet, every sound of the interval counts, whenever the
 * reading is taken. With no new audio, the browser's last `audioLevel`; null for nothing to go on.
 */
export function levelBetween(previous: EnergyReading | null, current: EnergyReading | null, audioLevel: number | null): number | null {
  if (previous && current) {
    const duration = current.totalSamplesDuration - previous.totalSamplesDuration;
    const energy = current.totalAudioEnergy - previous.totalAudioEnergy;
    if (duration > 0 && energy >= 0) return Math.sqrt(energy / duration);
  }
  return audioLevel;
}

function readInboundAudio(report: RTCStatsReport): { energy: EnergyReading | null; audioLevel: number | null } {
  for (const stats of report.values() as Iterable<Record<string, unknown>>) {
    if (stats.type !== 'inbound-rtp' || stats.kind !== 'audio') continue;
    const { totalAudioEnergy, totalSamplesDuration, audioLevel } = stats;
    return {
      energy:
        typeof totalAudioEnergy === 'number' && typeof totalSamplesDuration === 'number' ? { totalAudioEnergy, totalSamplesDuration } : null,
      audioLevel: typeof audioLevel === 'number' ? audioLevel : null,
    };
  }
  return { energy: null, audioLevel: null };
}

/**
 * Our microphone's level, read from a Web Audio analyser: Firefox reports no level of what it
 * sends (no `media-source` audioLevel), and the analyser works before anyone is connected.
 */
class MicrophoneMeter {
  #context: AudioContext | null = null;
  #source: MediaStreamAudioSourceNode | null = null;
  #analyser: AnalyserNode | null = null;
  #track: MediaStreamTrack | null = null;
  #samples = new Float32Array(ANALYSER_WINDOW);

  level(track: MediaStreamTrack | null): number {
    if (track !== this.#track) this.#attach(track);
    if (!this.#analyser || this.#context?.state !== 'running') return 0;
    this.#analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const sample of this.#samples) sum += sample * sample;
    return Math.sqrt(sum / this.#samples.length);
  }

  #attach(track: MediaStreamTrack | null): void {
    this.#source?.disconnect();
    this.#source = null;
    this.#track = track;
    if (!track || typeof AudioContext === 'undefined') return;
    if (!this.#context) {
      this.#context = new AudioContext();
      this.#analyser = this.#context.createAnalyser();
      this.#analyser.fftSize = ANALYSER_WINDOW;
    }
    // A context made without a user gesture may start suspended; a call is placed or answered from one.
    if (this.#context.state === 'suspended') void this.#context.resume().catch(() => undefined);
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#source.connect(this.#analyser!);
  }

  close(): void {
    this.#source?.disconnect();
    this.#source = null;
    this.#track = null;
    void this.#context?.close().catch(() => undefined);
    this.#context = null;
    this.#analyser = null;
  }
}

/**
 * Who speaks in the call, the local user included, and whom the speaker layout shows: levels ten
 * times a second while the call is active, through one {@link SpeakingDetector} per person and the
 * {@link ActiveSpeakerSelector}.
 */
export class SpeakingMonitor {
  #timer: ReturnType<typeof setInterval> | undefined;
  #sampling = false;
  readonly #detectors = new Map<string, SpeakingDetector>();
  readonly #energies = new Map<string, EnergyReading>();
  readonly #selector = new ActiveSpeakerSelector();
  readonly #meter = new MicrophoneMeter();

  constructor(
    private readonly source: SpeakingMonitorSource,
    private readonly handlers: SpeakingMonitorHandlers,
  ) {}

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.sample(), LEVEL_INTERVAL_MS);
  }

  /** Stops sampling and releases the analyser; everyone counts as silent again (without events). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#detectors.clear();
    this.#energies.clear();
    this.#selector.reset();
    this.#meter.close();
  }

  /**
   * Reads our own level now. Every tick does, even while a getStats() is still under way (slow on
   * a loaded machine), and muting does at once: we are never shown speaking after we muted, not
   * even until the next tick, while the others already know it from our media state.
   */
  sampleLocal(): void {
    if (this.#timer === undefined) return;
    const local = this.source.local();
    this.#push(local.userId, this.#meter.level(local.muted ? null : local.track), performance.now(), local.muted);
  }

  async sample(): Promise<void> {
    if (this.#timer === undefined) return;
    this.sampleLocal();
    const local = this.source.local();
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const remotes = this.source.remotes();
      const levels = await Promise.all(remotes.map(async ({ userId, receiver }) => [userId, await this.#remoteLevel(userId, receiver)] as const));
      if (this.#timer === undefined) return;
      const now = performance.now();
      const present = new Set(remotes.map((remote) => remote.userId));
      for (const [index, [userId, level]] of levels.entries()) this.#push(userId, level ?? 0, now, remotes[index].muted);
      for (const userId of [...this.#detectors.keys()]) {
        if (userId !== local.userId && !present.has(userId)) this.#forget(userId);
      }
      const speakingSince = new Map<string, number>();
      for (const userId of present) {
        const since = this.#detectors.get(userId)?.since;
        if (since != null) speakingSince.set(userId, since);
      }
      const before = this.#selector.current;
      const stage = this.#selector.update(speakingSince, present, now);
      if (stage !== before) this.handlers.onActiveSpeaker(stage);
    } finally {
      this.#sampling = false;
    }
  }

  async #remoteLevel(userId: string, receiver: RTCRtpReceiver | null): Promise<number | null> {
    if (!receiver) return null;
    let reading: ReturnType<typeof readInboundAudio>;
    try {
      reading = readInboundAudio(await receiver.getStats());
    } catch {
      // A connection closed meanwhile: silent this round.
      return null;
    }
    const previous = this.#energies.get(userId) ?? null;
    // A new connection starts its counters again.
    const comparable = previous && reading.energy && reading.energy.totalSamplesDuration >= previous.totalSamplesDuration ? previous : null;
    if (reading.energy) this.#energies.set(userId, reading.energy);
    return levelBetween(comparable, reading.energy, reading.audioLevel);
  }

  #push(userId: string, level: number, now: number, muted: boolean): void {
    let detector = this.#detectors.get(userId);
    if (!detector) this.#detectors.set(userId, (detector = new SpeakingDetector()));
    const before = detector.speaking;
    if (detector.push(level, now, muted) !== before) this.handlers.onSpeaking(userId, detector.speaking);
  }

  #forget(userId: string): void {
    if (this.#detectors.get(userId)?.speaking) this.handlers.onSpeaking(userId, false);
    this.#detectors.delete(userId);
    this.#energies.delete(userId);
  }
}

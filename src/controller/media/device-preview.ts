import type { LocalMedia } from './local-media.js';

/** What a page sees of the devices opened before a call (`controller.preview`). */
export interface DevicePreview {
  /** The microphone track and, while on, the camera track: the tracks the next call starts with. */
  readonly stream: MediaStream;
  readonly cameraEnabled: boolean;
  /** How loud the microphone is now, from 0 (silence) to 1; 0 where Web Audio is unavailable. */
  microphoneLevel(): number;
}

/**
 * The devices a user checks before a call: a {@link LocalMedia} opened without a call, and a level
 * meter on its microphone. The next call takes the media over (`takeMedia`), so that starting or
 * answering it opens nothing again; the meter stops then, as it does when the preview closes.
 */
export class DevicePreviewSession implements DevicePreview {
  #meter: LevelMeter | null = null;
  #meteredTrack: MediaStreamTrack | null = null;

  constructor(readonly media: LocalMedia) {
    this.followMicrophone();
  }

  get stream(): MediaStream {
    return this.media.stream;
  }

  get cameraEnabled(): boolean {
    return this.media.cameraEnabled;
  }

  microphoneLevel(): number {
    return this.#meter?.level() ?? 0;
  }

  /** Meters the microphone in use, after a switch of device. */
  followMicrophone(): void {
    const track = this.media.audioTrack;
    if (track === this.#meteredTrack) return;
    this.#meter?.close();
    this.#meteredTrack = track;
    this.#meter = track ? LevelMeter.open(track) : null;
  }

  /** Hands the devices over to a call: the meter stops, the tracks go on. */
  takeMedia(): LocalMedia {
    this.#meter?.close();
    this.#meter = null;
    return this.media;
  }

  stop(): void {
    this.takeMedia().stop();
  }
}

/** The loudness of one track by an AnalyserNode (root mean square of the waveform, so a steady tone reads steady). */
class LevelMeter {
  readonly #samples: Float32Array<ArrayBuffer>;

  private constructor(
    private readonly context: AudioContext,
    private readonly analyser: AnalyserNode,
  ) {
    this.#samples = new Float32Array(analyser.fftSize);
  }

  static open(track: MediaStreamTrack): LevelMeter | null {
    if (typeof AudioContext === 'undefined') return null;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    // Only the analyser listens: nothing is connected to the speakers, so the user does not hear themselves.
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    // Started from the click that opened the preview in most pages; where the browser still holds it, it
    // reads silence until resumed, which a later user gesture on the page does not need to do by hand.
    void context.resume().catch(() => undefined);
    return new LevelMeter(context, analyser);
  }

  level(): number {
    this.analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const sample of this.#samples) sum += sample * sample;
    const rms = Math.sqrt(sum / this.#samples.length);
    // Speech sits around 0.02–0.2 RMS: a square root spreads it over the scale a person reads.
    return Math.min(1, Math.sqrt(rms * 2));
  }

  close(): void {
    void this.context.close().catch(() => undefined);
  }
}

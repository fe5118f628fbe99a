/**
 * What plays while a call rings: `ringtone` for the callee, `ringback` for the caller while nobody
 * has answered, `waiting` (a soft double beep) for someone in a call whom another call rings.
 */
export type RingKind = 'ringtone' | 'ringback' | 'waiting';

/**
 * Plays the ringing sounds; a page may pass its own (`connect({ ringtone })`). `play` is called when
 * a ring starts or changes kind, `stop` when it ends (accepted, declined, cancelled, timed out, or
 * the controller disconnects); neither is called twice in a row for the same ring.
 */
export interface RingPlayer {
  play(kind: RingKind): void;
  stop(): void;
}

interface Tone {
  /** Length of one cycle, in seconds; the cycle loops while the ring lasts. */
  cycle: number;
  /** Stretches of sound within the cycle: [start, end] in seconds. */
  bursts: ReadonlyArray<readonly [number, number]>;
  /** The tone at time `t` into a burst, before the envelope. */
  wave: (t: number) => number;
  gain: number;
}

const TAU = 2 * Math.PI;
const sine = (frequency: number, t: number) => Math.sin(TAU * frequency * t);

/** Patterns after the usual telephone ones; the ringtone trills so that it carries across a room. */
const TONES: Record<RingKind, Tone> = {
  // Two notes (C6, E6) alternating every 50 ms, in two bursts every 3 s.
  ringtone: {
    cycle: 3,
    bursts: [
      [0, 0.45],
      [0.65, 1.1],
    ],
    wave: (t) => sine(Math.floor(t / 0.05) % 2 === 0 ? 1046.5 : 1318.5, t),
    gain: 0.3,
  },
  // 440 Hz + 480 Hz, 2 s on, 4 s off.
  ringback: { cycle: 6, bursts: [[0, 2]], wave: (t) => (sine(440, t) + sine(480, t)) / 2, gain: 0.2 },
  // Two short 440 Hz beeps every 5 s, quiet enough to talk over.
  waiting: {
    cycle: 5,
    bursts: [
      [0, 0.2],
      [0.4, 0.6],
    ],
    wave: (t) => sine(440, t),
    gain: 0.12,
  },
};

/** Fade in and out of each burst, so that it starts and stops without a click. */
const FADE_S = 0.01;

function renderTone(context: BaseAudioContext, tone: Tone): AudioBuffer {
  const rate = context.sampleRate;
  const buffer = context.createBuffer(1, Math.round(tone.cycle * rate), rate);
  const samples = buffer.getChannelData(0);
  for (const [start, end] of tone.bursts) {
    const first = Math.round(start * rate);
    const last = Math.min(samples.length, Math.round(end * rate));
    for (let i = first; i < last; i += 1) {
      const t = (i - first) / rate;
      const envelope = Math.min(1, t / FADE_S, (last - i) / rate / FADE_S);
      samples[i] = tone.gain * envelope * tone.wave(t);
    }
  }
  return buffer;
}

/** What a ring waits for before it may sound, when the browser does not let a page play by itself. */
const GESTURES = ['pointerdown', 'keydown', 'touchend'] as const;
/** How long `resume()` may take before the sound counts as blocked (Chromium leaves it pending). */
const BLOCKED_AFTER_MS = 300;
/** The ringtone's rhythm for the vibration motor: matches its two bursts every 3 s. */
const VIBRATION = [450, 200, 450];
const VIBRATION_CYCLE_MS = 3000;

/**
 * The default player: tones computed into a looping buffer of one Web Audio context (no audio file
 * shipped), made when the first ring plays, suspended between rings and closed by {@link dispose}.
 * While the browser's autoplay rules keep the context suspended, `blocked` says so, and the next
 * pointer or key press anywhere on the page resumes it. The ringtone also vibrates where the
 * device can.
 */
export class WebAudioRingtone implements RingPlayer {
  #context: AudioContext | null = null;
  #buffers = new Map<RingKind, AudioBuffer>();
  #source: AudioBufferSourceNode | null = null;
  #kind: RingKind | null = null;
  #blocked = false;
  #blockedCheck?: ReturnType<typeof setTimeout>;
  #vibration?: ReturnType<typeof setInterval>;

  constructor(private readonly onBlockedChange: (blocked: boolean) => void = () => {}) {}

  /** The browser keeps the ring silent until the user interacts with the page. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** What is playing, or null. */
  get kind(): RingKind | null {
    return this.#kind;
  }

  play(kind: RingKind): void {
    if (this.#kind === kind) return;
    this.stop();
    this.#kind = kind;
    if (kind === 'ringtone') this.#startVibrating();
    const context = this.#ensureContext();
    if (!context) return;
    const source = context.createBufferSource();
    source.buffer = this.#bufferFor(context, kind);
    source.loop = true;
    source.connect(context.destination);
    source.start();
    this.#source = source;
    if (context.state !== 'running') {
      void context.resume().catch(() => undefined);
      this.#blockedCheck = setTimeout(() => this.#setBlocked(this.#kind !== null && context.state !== 'running'), BLOCKED_AFTER_MS);
    }
    for (const type of GESTURES) addEventListener(type, this.#onGesture, { capture: true, passive: true });
  }

  stop(): void {
    if (this.#kind === null) return;
    this.#kind = null;
    clearTimeout(this.#blockedCheck);
    clearInterval(this.#vibration);
    if (this.#vibration !== undefined) navigator.vibrate?.(0);
    this.#vibration = undefined;
    for (const type of GESTURES) removeEventListener(type, this.#onGesture, { capture: true });
    const source = this.#source;
    this.#source = null;
    if (source) {
      source.stop();
      source.disconnect();
    }
    // A running context keeps the audio device busy: let it rest until the next ring.
    if (this.#context?.state === 'running') void this.#context.suspend().catch(() => undefined);
    this.#setBlocked(false);
  }

  /** Stops and closes the audio context; the next `play` makes a new one. */
  dispose(): void {
    this.stop();
    const context = this.#context;
    this.#context = null;
    this.#buffers.clear();
    if (context && context.state !== 'closed') void context.close().catch(() => undefined);
  }

  #ensureContext(): AudioContext | null {
    if (this.#context) return this.#context;
    if (typeof AudioContext === 'undefined') return null;
    try {
      this.#context = new AudioContext();
    } catch {
      return null;
    }
    this.#context.addEventListener('statechange', () => {
      if (this.#context?.state === 'running') this.#setBlocked(false);
    });
    return this.#context;
  }

  #bufferFor(context: AudioContext, kind: RingKind): AudioBuffer {
    let buffer = this.#buffers.get(kind);
    if (!buffer) {
      buffer = renderTone(context, TONES[kind]);
      this.#buffers.set(kind, buffer);
    }
    return buffer;
  }

  /** A user gesture is the moment the browser lets a suspended context start. */
  #onGesture = (): void => {
    const context = this.#context;
    if (this.#kind !== null && context && context.state === 'suspended') void context.resume().catch(() => undefined);
  };

  #startVibrating(): void {
    if (typeof navigator.vibrate !== 'function') return;
    const buzz = () => {
      try {
        navigator.vibrate(VIBRATION);
      } catch {
        // Refused (no user activation yet, or no motor): the sound and the dialog still ring.
      }
    };
    buzz();
    this.#vibration = setInterval(buzz, VIBRATION_CYCLE_MS);
  }

  #setBlocked(blocked: boolean): void {
    if (this.#blocked === blocked) return;
    this.#blocked = blocked;
    this.onBlockedChange(blocked);
  }
}

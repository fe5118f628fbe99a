/**
 * Whether one person is speaking, from a sequence of audio levels: pure, fed by the
 * {@link SpeakingMonitor} every few hundredths of a second and unit-tested on synthetic sequences.
 *
 * Speech is not a steady level: syllables and words come with short gaps, so a level above the
 * threshold counts towards one run of voice as long as the gaps in it stay short (`gapMs`). A run
 * makes the person speaking once it lasted `startMs` (a cough or a click does not), and they stop
 * speaking once no voice came for `stopMs` (a breath does not end it). A muted person never speaks.
 */

export interface SpeakingDetectorOptions {
  /** Level (0..1, linear, as `audioLevel`) above which a sample counts as voice. */
  threshold: number;
  /** How long a run of voice lasts before the person counts as speaking, ms. */
  startMs: number;
  /** How long without voice before they stop speaking, ms. */
  stopMs: number;
  /** The longest gap that still belongs to the same run of voice, ms. */
  gapMs: number;
}

/**
 * About -34 dBFS: quiet speech into a laptop's microphone is well above it, a room's hum and
 * a muted (silent) track well below.
 */
export const DEFAULT_SPEAKING_OPTIONS: SpeakingDetectorOptions = { threshold: 0.02, startMs: 250, stopMs: 1000, gapMs: 400 };

export class SpeakingDetector {
  readonly #options: SpeakingDetectorOptions;
  #speaking = false;
  /** When the present run of voice began, or null outside one. */
  #runStart: number | null = null;
  #lastVoice: number | null = null;

  constructor(options: Partial<SpeakingDetectorOptions> = {}) {
    this.#options = { ...DEFAULT_SPEAKING_OPTIONS, ...options };
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** When the present run of voice began (while speaking: since when they speak), or null. */
  get since(): number | null {
    return this.#speaking ? this.#runStart : null;
  }

  /** One sample: the level measured at `now` (ms, any monotonic clock); returns whether they speak. */
  push(level: number, now: number, muted = false): boolean {
    const { threshold, startMs, stopMs, gapMs } = this.#options;
    if (muted) {
      this.#reset();
      return false;
    }
    if (level >= threshold) {
      // While they speak, the run goes on until `stopMs` of silence ends it.
      const runStart =
        this.#speaking || (this.#runStart !== null && this.#lastVoice !== null && now - this.#lastVoice <= gapMs) ? (this.#runStart ?? now) : now;
      this.#runStart = runStart;
      this.#lastVoice = now;
      if (!this.#speaking && now - runStart >= startMs) this.#speaking = true;
    } else if (this.#lastVoice !== null) {
      const silence = now - this.#lastVoice;
      if (this.#speaking ? silence >= stopMs : silence > gapMs) this.#reset();
    }
    return this.#speaking;
  }

  #reset(): void {
    this.#speaking = false;
    this.#runStart = null;
    this.#lastVoice = null;
  }
}

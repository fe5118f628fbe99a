/**
 * Who the speaker layout shows large: pure, so that its steadiness is unit-tested on synthetic
 * sequences. The one on the stage keeps it while they speak; once they stop, someone who has been
 * speaking for `holdMs` takes it (the one speaking longest), and the stage changes hands at most
 * once every `minIntervalMs`, so that a quick "yes" or two people talking over each other do not
 * make the large tile jump. Nobody speaking leaves the last speaker on the stage.
 */

export interface ActiveSpeakerOptions {
  /** How long someone must have been speaking to take the stage from another, ms. */
  holdMs: number;
  /** The shortest time between two changes of the stage, ms. */
  minIntervalMs: number;
}

export const DEFAULT_ACTIVE_SPEAKER_OPTIONS: ActiveSpeakerOptions = { holdMs: 1500, minIntervalMs: 2000 };

export class ActiveSpeakerSelector {
  readonly #options: ActiveSpeakerOptions;
  #current: string | null = null;
  #changedAt = -Infinity;

  constructor(options: Partial<ActiveSpeakerOptions> = {}) {
    this.#options = { ...DEFAULT_ACTIVE_SPEAKER_OPTIONS, ...options };
  }

  get current(): string | null {
    return this.#current;
  }

  /**
   * The stage at `now`, given since when each participant who speaks has been speaking (those who
   * do not are absent). `present` are those in the call: someone gone leaves the stage empty.
   */
  update(speakingSince: ReadonlyMap<string, number>, present: ReadonlySet<string>, now: number): string | null {
    if (this.#current !== null && !present.has(this.#current)) this.#current = null;
    if (this.#current !== null && speakingSince.has(this.#current)) return this.#current;
    let longest: [string, number] | null = null;
    for (const [id, since] of speakingSince) {
      if (present.has(id) && (longest === null || since < longest[1])) longest = [id, since];
    }
    if (longest === null) return this.#current;
    const [id, since] = longest;
    // An empty stage is filled at once: there is nothing to flicker from.
    const takes = this.#current === null || (now - since >= this.#options.holdMs && now - this.#changedAt >= this.#options.minIntervalMs);
    if (takes) {
      this.#current = id;
      this.#changedAt = now;
    }
    return this.#current;
  }

  reset(): void {
    this.#current = null;
    this.#changedAt = -Infinity;
  }
}

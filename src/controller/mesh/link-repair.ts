/**
 * How long each step of the repair ladder waits, from the moment a connection was interrupted
 * (measured in test/network/path-cut.test.mjs; documented in README and docs/architecture.md).
 */
export interface RepairTimes {
  /** A connection that goes `disconnected` often comes back by itself (a brief loss, a Wi-Fi hand-over). */
  graceMs: number;
  /**
   * While it stays interrupted, ICE is restarted again this often: a restart whose checks all
   * failed during the outage stays failed, and the next one finds the path once it is back.
   */
  restartIntervalMs: number;
  /** ICE restarts that have not brought it back by then give way to a fresh connection. */
  freshAfterMs: number;
  /** At most one fresh RTCPeerConnection per participant this often: browsers cap them per page. */
  freshIntervalMs: number;
  /** The participant is given up (`connection-lost`) this long after the interruption began. */
  giveUpMs: number;
  /**
   * The polite side takes each step this much later than the impolite one, so that the two sides
   * of a pair do not restart or replace their connection at the same moment.
   */
  politeDelayMs: number;
}

export const REPAIR_TIMES: RepairTimes = {
  graceMs: 2000,
  restartIntervalMs: 3000,
  freshAfterMs: 8000,
  freshIntervalMs: 10000,
  giveUpMs: 30000,
  politeDelayMs: 1500,
};

/** How often a link under repair looks at its ladder. */
const TICK_MS = 250;

export interface RepairActions {
  /** New ICE credentials on the current connection, negotiated through the server if need be. */
  restartIce(): void;
  /** A fresh RTCPeerConnection to the participant, offered through the signalling server. */
  renew(): void;
  /** Repair failed within the bound: the participant is lost. */
  lost(): void;
}

export interface RepairClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: RepairClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type Interruption = 'disconnected' | 'failed' | 'channel-closed';

/**
 * The repair ladder of one connection: disconnected → a grace → ICE restarts (repeated while it
 * stays down) → a fresh connection (at once when the data channel is gone: an ICE restart cannot
 * bring a closed channel back) → given up after a bounded total. It decides when; the link acts.
 */
export class LinkRepair {
  #since: number | null = null;
  #skipGrace = false;
  #channelGone = false;
  #lastRestart = -Infinity;
  #lastFresh = -Infinity;
  #timer: unknown = null;

  constructor(
    private readonly polite: boolean,
    private readonly actions: RepairActions,
    private readonly times: RepairTimes = REPAIR_TIMES,
    private readonly clock: RepairClock = REAL_CLOCK,
  ) {}

  get repairing(): boolean {
    return this.#since !== null;
  }

  /** Starts the ladder, or moves it on: `failed` skips the grace, a closed channel calls for a fresh connection. */
  interrupted(how: Interruption): void {
    if (how === 'failed') this.#skipGrace = true;
    if (how === 'channel-closed') this.#channelGone = true;
    if (this.#since === null) this.#since = this.clock.now();
    this.#step();
  }

  /** Media flows again on a connection with its channel: the ladder starts over next time. */
  recovered(): void {
    if (this.#channelGone) return;
    this.#stop();
  }

  /** A fresh connection was made (by the far side, whose offer replaced ours): it counts as ours. */
  renewed(): void {
    this.#channelGone = false;
    this.#lastFresh = this.clock.now();
  }

  /** The network changed (`online`, a new interface): restart ICE now rather than at the next step. */
  networkChanged(): void {
    if (this.#since === null || this.#channelGone) return;
    this.#lastRestart = this.clock.now();
    this.actions.restartIce();
  }

  dispose(): void {
    this.#stop();
  }

  #stop(): void {
    this.#since = null;
    this.#skipGrace = this.#channelGone = false;
    this.#lastRestart = -Infinity;
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #step(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#since === null) return;
    const now = this.clock.now();
    const elapsed = now - this.#since;
    const { times } = this;
    if (elapsed >= times.giveUpMs) {
      this.#stop();
      this.actions.lost();
      return;
    }
    const delay = this.polite ? times.politeDelayMs : 0;
    const freshDue = this.#channelGone ? elapsed >= delay : elapsed >= times.freshAfterMs + delay;
    if (freshDue && now - this.#lastFresh >= times.freshIntervalMs) {
      this.renewed();
      this.#lastRestart = now;
      this.actions.renew();
    } else if (
      !this.#channelGone &&
      elapsed >= (this.#skipGrace ? 0 : times.graceMs) + delay &&
      now - this.#lastRestart >= times.restartIntervalMs
    ) {
      this.#lastRestart = now;
      this.actions.restartIce();
    }
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      this.#step();
    }, TICK_MS);
  }
}

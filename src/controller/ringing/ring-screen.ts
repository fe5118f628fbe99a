import type { UserInfo } from '../model.js';
import type { PeerMessage, SignalMessage } from '../protocol.js';
import type { RingMessage } from './call-waiting.js';

/** What the page is asked about a ring before anything rings (see `ConnectOptions.allowIncoming`). */
export interface IncomingRing {
  readonly callId: string;
  /** Who rings: the id is the signalling server's word, the name the caller's own. */
  readonly caller: UserInfo;
  readonly conversationId: string;
  readonly conversationTitle: string | null;
  readonly video: boolean;
}

/** True lets the ring through; anything else (false, a rejection, a throw) turns it down. */
export type IncomingRingPolicy = (ring: IncomingRing) => boolean | Promise<boolean>;

/** Rings awaiting the page's answer at once; more are turned down unasked. */
const MAX_PENDING = 8;
/** The caller's offer and candidates sent meanwhile; a caller sends a handful, not more. */
const MAX_HELD_SIGNALS = 64;

interface Pending {
  ring: RingMessage;
  signals: SignalMessage[];
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Asks the page's policy about each ring for a new call. A synchronous answer decides at once; while
 * a promise is pending, what the caller sends about that call is held, and dropped if the caller
 * cancels or its ring time runs out first.
 */
export class RingScreen {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly policy: IncomingRingPolicy,
    private readonly decided: (callerId: string, ring: RingMessage, signals: SignalMessage[], allowed: boolean) => void,
  ) {}

  screen(callerId: string, ring: RingMessage): void {
    if (this.#pending.has(callerId) || this.#pending.size >= MAX_PENDING) {
      this.decided(callerId, ring, [], false);
      return;
    }
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.policy({
        callId: ring.callId,
        caller: { ...ring.from },
        conversationId: ring.conversationId,
        conversationTitle: ring.conversationTitle ?? null,
        video: ring.video,
      });
    } catch {
      verdict = false;
    }
    if (typeof (verdict as { then?: unknown } | null)?.then !== 'function') {
      this.decided(callerId, ring, [], verdict === true);
      return;
    }
    const pending: Pending = { ring, signals: [], timer: setTimeout(() => this.#drop(callerId, pending), ring.timeout) };
    this.#pending.set(callerId, pending);
    Promise.resolve(verdict).then(
      (allowed) => this.#settle(callerId, pending, allowed === true),
      () => this.#settle(callerId, pending, false),
    );
  }

  /** Takes what a caller awaiting the page's answer sends about that call. */
  claim(userId: string, message: PeerMessage): boolean {
    const pending = this.#pending.get(userId);
    if (!pending || message.callId !== pending.ring.callId) return false;
    if (message.type === 'signal') {
      if (pending.signals.length < MAX_HELD_SIGNALS) pending.signals.push(message);
    } else if (message.type === 'cancel') {
      this.#drop(userId, pending);
    }
    return true;
  }

  get bufferedCount(): number {
    let count = 0;
    for (const pending of this.#pending.values()) count += 1 + pending.signals.length;
    return count;
  }

  clear(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #settle(callerId: string, pending: Pending, allowed: boolean): void {
    if (this.#pending.get(callerId) !== pending) return;
    this.#drop(callerId, pending);
    this.decided(callerId, pending.ring, pending.signals, allowed);
  }

  #drop(callerId: string, pending: Pending): void {
    if (this.#pending.get(callerId) !== pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(callerId);
  }
}

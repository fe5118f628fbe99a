import type { WaitingCall, WaitingEndReason } from '../model.js';
import type { ControlMessage, PeerMessage, SignalMessage } from '../protocol.js';

export type RingMessage = Extract<ControlMessage, { type: 'ring' }>;

/** The caller's offer and candidates, kept until accept; a caller sends a handful, not more. */
const MAX_HELD_SIGNALS = 64;

/** A ring that came while we were in a call, with what its caller sent since. */
export interface HeldRing {
  readonly call: WaitingCall;
  /** The caller's user id (the sender of the ring, who is also its `from`). */
  readonly callerId: string;
  readonly ring: RingMessage;
  readonly signals: SignalMessage[];
}

/**
 * At most one call waits at a time. It is not connected: the caller's offer and candidates are held
 * until the user accepts (then replayed as if they had just arrived) or the ring ends. A caller who
 * does not cancel by the end of their ring time (plus `graceMs`) is given up on.
 */
export class CallWaiting {
  #held: HeldRing | null = null;
  #timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly graceMs: number,
    private readonly onEnd: (held: HeldRing, reason: WaitingEndReason) => void,
  ) {}

  get current(): HeldRing | null {
    return this.#held;
  }

  hold(callerId: string, ring: RingMessage): HeldRing {
    const call: WaitingCall = {
      id: ring.callId,
      conversationId: ring.conversationId,
      conversationTitle: ring.conversationTitle ?? null,
      video: ring.video,
      caller: ring.from,
      receivedAt: Date.now(),
    };
    const held: HeldRing = { call, callerId, ring, signals: [] };
    this.#held = held;
    this.#timer = setTimeout(() => this.end('missed'), ring.timeout + this.graceMs);
    return held;
  }

  /**
   * Takes what the waiting call's caller sends about it: signals are kept, a cancel ends the wait.
   * Returns whether the message was about the waiting call (and so is not for the current one).
   */
  claim(userId: string, message: PeerMessage): boolean {
    const held = this.#held;
    if (!held || userId !== held.callerId || message.callId !== held.call.id) return false;
    if (message.type === 'signal') {
      if (held.signals.length < MAX_HELD_SIGNALS) held.signals.push(message);
    } else if (message.type === 'cancel') {
      this.end('cancelled');
    }
    return true;
  }

  /** Ends the wait (the caller is told by the controller, where the reason calls for it). */
  end(reason: WaitingEndReason): HeldRing | null {
    const held = this.#held;
    if (!held) return null;
    this.#held = null;
    clearTimeout(this.#timer);
    this.onEnd(held, reason);
    return held;
  }
}

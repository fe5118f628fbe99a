import type { CallErrorType } from '../errors.js';
import type { CallDirection, CallEndReason, UserInfo } from '../model.js';

/**
 * How a call went, from the local user's point of view.
 *
 * - `completed`: it was answered (by us for an incoming call, by someone we rang for an outgoing one),
 *   however it ended afterwards (`endReason` says: hung up, dropped, …).
 * - `missed`: an incoming call we did not answer before it stopped ringing.
 * - `declined`: we declined an incoming call, or everyone we rang declined ours.
 * - `cancelled`: we withdrew our ring before anyone answered.
 * - `no-answer`: nobody we rang answered in time.
 * - `busy`: everyone we rang was in another call.
 * - `failed`: the call could not take place; `failureReason` says why.
 * - `answered-elsewhere`: an incoming call answered on another device of ours. Defined for pages that
 *   switch on outcomes; not recorded yet (a user has one device at a time so far).
 */
export type CallOutcome = 'completed' | 'missed' | 'declined' | 'cancelled' | 'no-answer' | 'busy' | 'failed' | 'answered-elsewhere';

/**
 * Why a call `failed`: nobody we rang was reachable, every connection failed before anyone answered,
 * or something else went wrong (see `errorType`).
 */
export type CallFailureReason = 'unavailable' | 'connection-lost' | 'error';

/** One call in a user's history. Plain data: it is stored, exported and sent to pages as it is. */
export interface CallHistoryEntry {
  /** This entry's own id (a call may be joined twice, and gets an entry each time). */
  readonly id: string;
  readonly callId: string;
  readonly conversationId: string;
  /**
   * The conversation's title as the call carried it (`startCall({ conversationTitle })` of its
   * caller), or null; a call-back rings with it again. Entries stored before it was kept have none.
   */
  readonly conversationTitle: string | null;
  readonly direction: CallDirection;
  readonly video: boolean;
  /** Who placed the call (for an outgoing call, the local user). */
  readonly caller: UserInfo;
  /**
   * Everyone else who was rung or took part, in the order they appeared; a call-back rings them. Their
   * names are those the call knew (possibly a peer's own claim): show them through `profileOf`.
   */
  readonly participants: readonly UserInfo[];
  /** Those of {@link participants} who were in the call with us; empty unless it was answered. */
  readonly joined: readonly UserInfo[];
  /** When the call started ringing (ms since the epoch). */
  readonly startedAt: number;
  /** When it was answered; null if it never was. */
  readonly answeredAt: number | null;
  readonly endedAt: number;
  /** How long it lasted once answered, in ms; 0 when unanswered. */
  readonly duration: number;
  readonly outcome: CallOutcome;
  /** The controller's reason on `call-ended`. */
  readonly endReason: CallEndReason;
  /** Set when `outcome` is `failed`. */
  readonly failureReason: CallFailureReason | null;
  /** The type of the last `call-error` reported during the call, if any. */
  readonly errorType: CallErrorType | null;
  /** False for a missed call until the user has seen it (`markSeen`); true for every other entry. */
  readonly seen: boolean;
}

/** What a call's end means for the history: its outcome, and for a failure, why. */
export function outcomeOf(
  direction: CallDirection,
  answered: boolean,
  reason: CallEndReason,
): { outcome: CallOutcome; failureReason: CallFailureReason | null } {
  const plain = (outcome: CallOutcome) => ({ outcome, failureReason: null });
  if (answered) return plain('completed');
  switch (reason) {
    case 'unavailable':
    case 'connection-lost':
    case 'error':
      return { outcome: 'failed', failureReason: reason };
    case 'declined':
    case 'busy':
    case 'no-answer':
      // The controller says `busy` and `no-answer` of calls we placed only.
      return plain(direction === 'incoming' ? (reason === 'declined' ? 'declined' : 'missed') : reason);
    case 'missed':
      return plain(direction === 'incoming' ? 'missed' : 'no-answer');
    default:
      // Unanswered and ended by a hang-up or a withdrawal: ours when we rang, the caller's when we were rung.
      return plain(direction === 'incoming' ? 'missed' : 'cancelled');
  }
}

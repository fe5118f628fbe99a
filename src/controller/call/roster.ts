import type { ParticipantState } from '../model.js';
import type { RosterEntry } from '../protocol.js';

/** What we know of a user a roster entry is about. */
export interface KnownUser {
  /** Their participant in our call, if any. */
  participant: { state: ParticipantState; epoch: number } | null;
  /** The invitation they left with, if we count them as gone. */
  departedEpoch: number | null;
  /** Our own connection to them works: it outranks anyone else's news that they left. */
  liveLink: boolean;
  /** We rang them ourselves: they tell us their answer directly, not through gossip. */
  ownInvitee: boolean;
}

export type RosterAction =
  | 'none'
  /** They left: take them out of the call. */
  | 'remove'
  /** They left, and we never had them: remember it, so older news does not bring them in. */
  | 'depart'
  | 'add-joined'
  | 'add-ringing'
  /** Someone else's invitee answered. */
  | 'answered';

export interface RosterDecision {
  action: RosterAction;
  /** The entry is about a newer invitation than the departure we remember: forget the departure. */
  forgetDeparture: boolean;
  /** The entry carries a newer invitation of a participant we have. */
  raiseEpoch: boolean;
  /** They are in the call: make sure we are connected (the who-dials rule decides who starts). */
  meet: boolean;
}

const IGNORE: RosterDecision = { action: 'none', forgetDeparture: false, raiseEpoch: false, meet: false };

/**
 * How one entry of another participant's roster changes our view of the call. Invitations are
 * counted (epochs): news about an older invitation loses to a newer one, so that someone who left
 * can be rung in again and a stale "left" cannot undo it.
 */
export function decideRosterEntry(entry: RosterEntry, known: KnownUser): RosterDecision {
  const knownEpoch = known.participant?.epoch ?? known.departedEpoch ?? 0;
  if (entry.epoch < knownEpoch) return IGNORE;
  const forgetDeparture = entry.epoch > knownEpoch && known.departedEpoch !== null;
  const departed = known.departedEpoch !== null && !forgetDeparture;
  const raiseEpoch = known.participant !== null && entry.epoch > known.participant.epoch;
  const decision = (action: RosterAction, meet = false): RosterDecision => ({ action, forgetDeparture, raiseEpoch, meet });
  if (entry.state === 'left') {
    if (known.liveLink) return decision('none');
    if (known.participant) return decision('remove');
    return decision(departed ? 'none' : 'depart');
  }
  if (departed) return decision('none');
  const meet = entry.state === 'joined';
  if (!known.participant) return decision(entry.state === 'joined' ? 'add-joined' : 'add-ringing', meet);
  if (entry.state === 'joined' && known.participant.state === 'ringing' && !known.ownInvitee) return decision('answered', meet);
  return decision('none', meet);
}

/**
 * In every pair of participants who did not meet through a ring, exactly one side starts the
 * connection: both learn of each other through the rosters and apply the same rule.
 */
export function dialsFirst(selfId: string, otherId: string): boolean {
  return selfId < otherId;
}

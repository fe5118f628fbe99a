import type { CallError } from './errors.js';
import type { Call, CallEndReason, CallState, LeaveReason, Participant } from './model.js';

/**
 * Controller events also travel through the DOM (re-dispatched by elements), so they bubble and
 * cross shadow roots by default.
 */
const ROUTED: EventInit = { bubbles: true, composed: true };

export class CallStateChangeEvent extends Event {
  constructor(
    readonly state: CallState,
    readonly previousState: CallState,
    init: EventInit = ROUTED,
  ) {
    super('call-state-change', init);
  }
}

export class CallIncomingEvent extends Event {
  constructor(
    readonly call: Call,
    init: EventInit = ROUTED,
  ) {
    super('call-incoming', init);
  }
}

/** A remote participant answered and is now part of the call. */
export class CallParticipantJoinedEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    init: EventInit = ROUTED,
  ) {
    super('call-participant-joined', init);
  }
}

/** A remote participant is no longer part of the call, ringing ones included. */
export class CallParticipantLeftEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    readonly reason: LeaveReason,
    init: EventInit = ROUTED,
  ) {
    super('call-participant-left', init);
  }
}

/**
 * Anything about a participant changed (state, name, microphone, camera, stream), the local one
 * included, or a newly invited participant started ringing.
 */
export class CallParticipantChangeEvent extends Event {
  constructor(
    readonly call: Call,
    readonly participant: Participant,
    init: EventInit = ROUTED,
  ) {
    super('call-participant-change', init);
  }
}

export class CallEndedEvent extends Event {
  constructor(
    readonly call: Call,
    readonly reason: CallEndReason,
    init: EventInit = ROUTED,
  ) {
    super('call-ended', init);
  }
}

export class CallErrorEvent extends Event {
  constructor(
    readonly error: CallError,
    init: EventInit = ROUTED,
  ) {
    super('call-error', init);
  }
}

export interface CallControllerEventMap {
  'call-state-change': CallStateChangeEvent;
  'call-incoming': CallIncomingEvent;
  'call-participant-joined': CallParticipantJoinedEvent;
  'call-participant-left': CallParticipantLeftEvent;
  'call-participant-change': CallParticipantChangeEvent;
  'call-ended': CallEndedEvent;
  'call-error': CallErrorEvent;
}

import type { Call, WaitingCall } from '../../controller/index.js';

/** The user answered the ring; cancel it to answer another way. */
export class CallAcceptEvent extends Event {
  constructor(
    readonly call: Call,
    /** Whether the user answered with the camera on. */
    readonly video: boolean,
  ) {
    super('call-accept', { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user turned the ring down (button or Escape); cancel it to keep ringing. */
export class CallDeclineEvent extends Event {
  constructor(readonly call: Call) {
    super('call-decline', { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user accepted the call waiting, which ends the current call; cancel it to answer another way. */
export class CallWaitingAcceptEvent extends Event {
  constructor(readonly waitingCall: WaitingCall) {
    super('call-waiting-accept', { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user turned the waiting call down (the caller hears busy); cancel it to keep it waiting. */
export class CallWaitingDeclineEvent extends Event {
  constructor(readonly waitingCall: WaitingCall) {
    super('call-waiting-decline', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-accept': CallAcceptEvent;
    'call-decline': CallDeclineEvent;
    'call-waiting-accept': CallWaitingAcceptEvent;
    'call-waiting-decline': CallWaitingDeclineEvent;
  }
}

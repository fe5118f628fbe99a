const USER_ACTION: EventInit = { bubbles: true, composed: true, cancelable: true };

/** The user asked to turn the microphone on or off. Cancel it to keep the controller from acting. */
export class CallMicrophoneToggleEvent extends Event {
  constructor(
    /** The state the user asked for: true to turn the microphone on. */
    readonly enabled: boolean,
  ) {
    super('call-microphone-toggle', USER_ACTION);
  }
}

/** The user asked to turn the camera on or off. Cancel it to keep the controller from acting. */
export class CallCameraToggleEvent extends Event {
  constructor(
    /** The state the user asked for: true to turn the camera on. */
    readonly enabled: boolean,
  ) {
    super('call-camera-toggle', USER_ACTION);
  }
}

/**
 * The user asked to share a screen or to stop sharing it. Cancel it to keep the controller from
 * acting (to ask "present instead of Alice?" first, say).
 */
export class CallScreenShareToggleEvent extends Event {
  constructor(
    /** The state the user asked for: true to start sharing. */
    readonly enabled: boolean,
  ) {
    super('call-screen-share-toggle', USER_ACTION);
  }
}

/** The user asked to leave the call (or to cancel an unanswered ring). Cancel it to stay. */
export class CallHangupEvent extends Event {
  constructor() {
    super('call-hangup', USER_ACTION);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-microphone-toggle': CallMicrophoneToggleEvent;
    'call-camera-toggle': CallCameraToggleEvent;
    'call-screen-share-toggle': CallScreenShareToggleEvent;
    'call-hangup': CallHangupEvent;
  }
}

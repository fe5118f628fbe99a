const USER_ACTION: EventInit = { bubbles: true, composed: true, cancelable: true };

/** The user asked to turn on the camera and microphone for a preview. Cancel it to keep them off. */
export class CallPreviewStartEvent extends Event {
  constructor() {
    super('call-preview-start', USER_ACTION);
  }
}

/** The user chose to join with the camera on or off. Cancel it to keep the preview's camera as it is. */
export class CallPreviewCameraToggleEvent extends Event {
  constructor(readonly enabled: boolean) {
    super('call-preview-camera-toggle', USER_ACTION);
  }
}

/**
 * The user asked to join from the preview: answer the ringing call, or place the element's call.
 * Cancel it to start the call another way (the preview's tracks still go to the next call).
 */
export class CallPreviewJoinEvent extends Event {
  constructor(
    /** Whether to join with the camera on. */
    readonly video: boolean,
  ) {
    super('call-preview-join', USER_ACTION);
  }
}

/** The user closed the preview. Cancel it to keep the devices open. */
export class CallPreviewCloseEvent extends Event {
  constructor() {
    super('call-preview-close', USER_ACTION);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-preview-start': CallPreviewStartEvent;
    'call-preview-camera-toggle': CallPreviewCameraToggleEvent;
    'call-preview-join': CallPreviewJoinEvent;
    'call-preview-close': CallPreviewCloseEvent;
  }
}

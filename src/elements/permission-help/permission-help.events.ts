/** The user pressed "Try again" on `<permission-help>`. Cancel it to do the retry yourself. */
export class PermissionHelpRetryEvent extends Event {
  constructor(
    /** The device that was refused. */
    readonly device: 'microphone' | 'camera',
    /** Whether the refusal came during a call (the retry opens the device) or before one (the page retries its action). */
    readonly inCall: boolean,
  ) {
    super('permission-help-retry', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'permission-help-retry': PermissionHelpRetryEvent;
  }
}

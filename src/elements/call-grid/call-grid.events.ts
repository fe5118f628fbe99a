/**
 * The user pinned a participant (to see them large) or unpinned them. Cancel it to keep the grid as
 * it is; the grid then leaves `pinned` unchanged.
 */
export class CallGridPinEvent extends Event {
  constructor(
    /** The participant the user pinned, or null when they unpinned the one pinned. */
    readonly participantId: string | null,
  ) {
    super('call-grid-pin', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-grid-pin': CallGridPinEvent;
  }
}

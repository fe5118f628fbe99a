/** What `<call-button>` is about to ring; cancel it to place the call another way. */
export class CallStartEvent extends Event {
  constructor(
    readonly conversationId: string,
    readonly participants: readonly string[],
    readonly video: boolean,
    /** The `conversation-title` attribute; null without one. */
    readonly conversationTitle: string | null = null,
  ) {
    super('call-start', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-start': CallStartEvent;
  }
}

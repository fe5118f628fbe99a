import type { CallHistoryEntry } from '../../controller/index.js';

/**
 * The user asked to call back the people of a past call; cancel it to place the call another way.
 * Unless cancelled, `<call-history>` then starts a call in the same conversation (with its title),
 * with the same people and kind (voice or video).
 */
export class CallHistoryCallbackEvent extends Event {
  constructor(readonly entry: CallHistoryEntry) {
    super('call-history-callback', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-history-callback': CallHistoryCallbackEvent;
  }
}

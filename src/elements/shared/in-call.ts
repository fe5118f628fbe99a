import type { Call } from '../../controller/index.js';
import type { CallControllerView } from '../../controller/view.js';

/**
 * The call the local user takes part in: ringing others (`outgoing`) or talking (`active`). Null
 * otherwise, also while only being rung (`incoming`: nothing is shared until they accept) and while
 * the call is `ending`.
 */
export function joinedCall(controller: CallControllerView): Call | null {
  const { state, call } = controller;
  return state === 'outgoing' || state === 'active' ? call : null;
}

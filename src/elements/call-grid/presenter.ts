import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Call, Participant } from '../../controller/index.js';
import type { CallControllerView } from '../../controller/view.js';

/**
 * Whose screen the grid shows large: someone else's before our own (one presenter at a time, but a
 * takeover may overlap for a moment), the local participant's when only we share.
 */
export function presenterOf(call: Call): Participant | null {
  const remote = [...call.participants.values()].find((participant) => participant.state !== 'left' && participant.screenStream);
  return remote ?? (call.local.screenStream ? call.local : null);
}

/** "Alice is presenting", or "You are presenting". */
export function presentingText(controller: CallControllerView, presenter: Participant): string {
  return presenter.isLocal ? 'You are presenting' : `${controller.profileOf(presenter).name} is presenting`;
}

/**
 * The presenter's screen, fitted whole (a cropped screen loses its edges' text) and muted like
 * every tile, with the grid's `controls` (its full-screen button) in the stage's corner. `live` keeps
 * the element's stream when it is the same one.
 */
export function renderStage(controller: CallControllerView, presenter: Participant, controls: unknown = nothing): TemplateResult {
  const text = presentingText(controller, presenter);
  return html`<figure part="stage" class="stage" aria-label=${text} data-participant-id=${presenter.id}>
    <video part="screen" class="screen" autoplay playsinline muted .muted=${true} .srcObject=${live(presenter.screenStream)}></video>
    <figcaption part="presenter" class="presenter">${text}</figcaption>
    ${controls}
  </figure>`;
}

import { html, nothing, type PropertyValues } from 'lit';
import { query, state } from 'lit/decorators.js';
import { CallElement } from '../call-element.js';
import { initialsOf } from '../shared/avatar.js';
import { cameraIcon, hangUpIcon, phoneIcon } from '../shared/icons.js';
import { CallAcceptEvent, CallDeclineEvent } from './incoming-call.events.js';
import { incomingCallStyles } from './incoming-call.styles.js';

export * from './incoming-call.events.js';

/**
 * Renders nothing until the controller is rung (`state === 'incoming'`). While ringing it shows a modal
 * alert dialog: focus moves to "Accept" (voice only, so a stray Enter never turns the camera on), Tab stays
 * inside, Escape declines, and focus goes back where it was when the ring ends.
 *
 * @tag incoming-call
 * @summary Rings the user: shows who is calling and lets them accept, with or without their camera, or decline.
 *
 * @slot avatar - A picture of the caller. Defaults to their initials.
 * @slot details - Replaces the description under the caller's name (by default the call kind and the conversation id).
 *
 * @event {CallAcceptEvent} call-accept - The user accepted. Cancelable: when prevented, the controller does not answer.
 * @event {CallDeclineEvent} call-decline - The user declined, with the button or Escape. Cancelable: when prevented, the call keeps ringing.
 * @event {CallErrorEvent} call-error - The controller could not answer or decline (no microphone, the ring ended meanwhile, …).
 *
 * @csspart overlay - The backdrop covering the page.
 * @csspart base - The dialog.
 * @csspart avatar - The circle around the avatar, with the ringing halo.
 * @csspart caller - "Alice is calling".
 * @csspart details - The call kind and conversation.
 * @csspart actions - The row of buttons.
 * @csspart accept-button - "Accept": answers with the microphone only.
 * @csspart accept-video-button - "Accept with video": answers with the camera on.
 * @csspart decline-button - "Decline".
 *
 * @cssproperty [--meshcall-incoming-accent=#2563eb] - Avatar background and ringing halo.
 * @cssproperty [--meshcall-accept-background=#15803d] - Background of the accept buttons.
 * @cssproperty [--meshcall-decline-background=#b91c1c] - Background of the decline button.
 * @cssproperty [--meshcall-incoming-background=#ffffff] - Background of the dialog.
 * @cssproperty [--meshcall-incoming-color=#0f172a] - Text colour of the dialog.
 * @cssproperty [--meshcall-incoming-muted-color=#475569] - Text colour of the details.
 * @cssproperty [--meshcall-incoming-backdrop=rgb(15 23 42 / 0.45)] - The backdrop over the page.
 * @cssproperty [--meshcall-incoming-radius=1.25rem] - Corner radius of the dialog.
 * @cssproperty [--meshcall-incoming-z-index=1000] - Stacking order of the overlay.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 */
export class IncomingCall extends CallElement {
  static override styles = incomingCallStyles;

  /** An answer or a decline the user asked for is under way; the buttons wait for it. */
  @state() private answering = false;

  @query('.accept-voice') private acceptButton?: HTMLButtonElement;

  /** Whether the controller is being rung, i.e. whether the dialog is shown. */
  get ringing(): boolean {
    return this.controller.state === 'incoming' && this.controller.call?.direction === 'incoming';
  }

  #shown = false;
  #focusBeforeRing: HTMLElement | null = null;
  #restoreFocus = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const ringing = this.ringing;
    if (ringing && !this.#shown) {
      this.#focusBeforeRing = deepActiveElement();
    } else if (!ringing && this.#shown) {
      // Put focus back only if the dialog still had it: the user may have moved on meanwhile.
      this.#restoreFocus = this.matches(':focus-within') || deepActiveElement() === null;
      this.answering = false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const ringing = this.ringing;
    if (ringing && !this.#shown) {
      this.acceptButton?.focus();
    } else if (!ringing && this.#shown) {
      const previous = this.#focusBeforeRing;
      if (this.#restoreFocus && previous?.isConnected) previous.focus();
      this.#focusBeforeRing = null;
    }
    this.#shown = ringing;
  }

  override render() {
    const call = this.controller.call;
    if (!this.ringing || !call) return nothing;
    const busy = this.answering ? 'true' : nothing;
    return html`
      <div part="overlay" class="overlay" @mousedown=${keepFocusInside}>
        <div
          part="base"
          class="dialog"
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="caller"
          aria-describedby="details"
          aria-busy=${busy}
          tabindex="-1"
          @keydown=${this.#onKeydown}
        >
          <div part="avatar" class="avatar">
            <slot name="avatar"><span aria-hidden="true">${initialsOf(call.caller.name)}</span></slot>
          </div>
          <h2 id="caller" part="caller" class="caller">${call.caller.name} is calling</h2>
          <p id="details" part="details" class="details">
            <slot name="details">${call.video ? 'Video call' : 'Voice call'} · conversation ${call.conversationId}</slot>
          </p>
          <div part="actions" class="actions">
            <button part="decline-button" class="action decline" type="button" aria-disabled=${busy} @click=${this.#decline}>
              <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${hangUpIcon}</svg>Decline
            </button>
            <button
              part="accept-video-button"
              class="action accept accept-video"
              type="button"
              aria-disabled=${busy}
              @click=${() => this.#accept(true)}
            >
              <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${cameraIcon}</svg>Accept with video
            </button>
            <button
              part="accept-button"
              class="action accept accept-voice"
              type="button"
              aria-disabled=${busy}
              @click=${() => this.#accept(false)}
            >
              <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${phoneIcon}</svg>Accept
            </button>
          </div>
        </div>
      </div>
    `;
  }

  #accept(video: boolean): void {
    const call = this.controller.call;
    if (this.answering || !this.ringing || !call) return;
    const request = new CallAcceptEvent(call, video);
    if (!this.dispatchEvent(request)) return;
    this.#whileAnswering(this.controller.accept({ video }));
  }

  #decline(): void {
    const call = this.controller.call;
    if (this.answering || !this.ringing || !call) return;
    const request = new CallDeclineEvent(call);
    if (!this.dispatchEvent(request)) return;
    this.#whileAnswering(this.controller.decline());
  }

  #whileAnswering(action: Promise<void>): void {
    this.answering = true;
    void this.relayFailure(action).finally(() => {
      this.answering = false;
    });
  }

  #onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.#decline();
    } else if (event.key === 'Tab') {
      this.#trapTab(event);
    }
  }

  /** Wraps Tab around the dialog's buttons; the browser moves focus between them. */
  #trapTab(event: KeyboardEvent): void {
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.action')];
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    const current = (this.renderRoot as ShadowRoot).activeElement;
    const inButtons = buttons.includes(current as HTMLButtonElement);
    if (event.shiftKey && (current === first || !inButtons)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (current === last || !inButtons)) {
      event.preventDefault();
      first.focus();
    }
  }
}

/** Clicks on the backdrop or the dialog's text must not drop focus to the page behind. */
function keepFocusInside(event: MouseEvent): void {
  if (!(event.composedPath()[0] as Element).closest?.('button')) event.preventDefault();
}

/** The focused element, looking into shadow roots; null when nothing in particular has focus. */
function deepActiveElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : null;
}

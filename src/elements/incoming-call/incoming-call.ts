import { html, nothing, type PropertyValues } from 'lit';
import { query, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { describeCall, type UserProfile, type WaitingCall } from '../../controller/index.js';
import { CallElement } from '../call-element.js';
import { avatarColorOf, initialsOf } from '../shared/avatar.js';
import { cameraIcon, hangUpIcon, phoneIcon, soundOffIcon } from '../shared/icons.js';
import { CallAcceptEvent, CallDeclineEvent, CallWaitingAcceptEvent, CallWaitingDeclineEvent } from './incoming-call.events.js';
import { incomingCallStyles } from './incoming-call.styles.js';

export * from './incoming-call.events.js';

/**
 * Renders nothing until the controller is rung (`state === 'incoming'`). While ringing it shows a modal
 * alert dialog: focus moves to "Accept" (voice only, so a stray Enter never turns the camera on), Tab stays
 * inside, Escape declines, and focus goes back where it was when the ring ends. The caller is named by the
 * page's resolver when it has one, the conversation by its title (never by its id).
 *
 * A call that rings while the user is in another one (`waitingCall`) shows as a dialog over the call,
 * without a backdrop: "End call and accept" ends the current call and answers the new one; "Decline" (or
 * Escape) answers the caller busy. Focus moves to the dialog itself, so that no key press ends the call
 * by accident. If the current call ends first, the waiting call rings as usual, focused on "Accept".
 *
 * @tag incoming-call
 * @summary Rings the user: shows who is calling and lets them accept, with or without their camera, or decline.
 *
 * @slot avatar - A picture of the caller. Defaults to their initials.
 * @slot details - Replaces the description under the caller's name (by default the call kind and the conversation's title).
 *
 * @event {CallAcceptEvent} call-accept - The user accepted. Cancelable: when prevented, the controller does not answer.
 * @event {CallDeclineEvent} call-decline - The user declined, with the button or Escape. Cancelable: when prevented, the call keeps ringing.
 * @event {CallWaitingAcceptEvent} call-waiting-accept - The user accepted the waiting call. Cancelable: when prevented, nothing happens.
 * @event {CallWaitingDeclineEvent} call-waiting-decline - The user declined the waiting call. Cancelable: when prevented, it keeps waiting.
 * @event {CallErrorEvent} call-error - The controller could not answer or decline (no microphone, the ring ended meanwhile, …).
 *
 * @csspart overlay - The backdrop covering the page.
 * @csspart base - The dialog.
 * @csspart avatar - The circle around the avatar, with the ringing halo.
 * @csspart caller - "Alice is calling".
 * @csspart details - The call kind and conversation.
 * @csspart avatar-image - The caller's picture from the page's resolver, when there is one.
 * @csspart sound-blocked - Shown while the browser keeps the ringtone silent until the user interacts with the page.
 * @csspart waiting-note - In a call waiting: says that accepting ends the current call.
 * @csspart actions - The row of buttons.
 * @csspart accept-button - "Accept": answers with the microphone only.
 * @csspart accept-video-button - "Accept with video": answers with the camera on.
 * @csspart decline-button - "Decline".
 * @csspart end-and-accept-button - In a call waiting: "End call and accept".
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

  /** The call waiting while the user is in another one, shown unless a call rings. */
  get waiting(): WaitingCall | null {
    return this.ringing ? null : this.controller.waitingCall;
  }

  /** Which dialog is shown, if any. */
  get #dialog(): 'ringing' | 'waiting' | null {
    return this.ringing ? 'ringing' : this.waiting ? 'waiting' : null;
  }

  /** The dialog shown at the last update: a waiting call that rings through becomes a ringing one. */
  #shown: 'ringing' | 'waiting' | null = null;
  #focusBeforeRing: HTMLElement | null = null;
  #restoreFocus = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const dialog = this.#dialog;
    if (dialog && !this.#shown) {
      this.#focusBeforeRing = deepActiveElement();
    } else if (!dialog && this.#shown) {
      // Put focus back only if the dialog still had it: the user may have moved on meanwhile.
      this.#restoreFocus = this.matches(':focus-within') || deepActiveElement() === null;
      this.answering = false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const dialog = this.#dialog;
    if (dialog !== this.#shown) {
      // A waiting card that rings through is replaced, and the focus it had with it. While
      // "End call and accept" is answering it, that ring needs no button of its own.
      if (dialog === 'ringing' && !this.answering) this.acceptButton?.focus();
      else if (dialog === 'waiting') this.renderRoot.querySelector<HTMLElement>('.dialog')?.focus();
      else if (!dialog) {
        const previous = this.#focusBeforeRing;
        if (this.#restoreFocus && previous?.isConnected) previous.focus();
        this.#focusBeforeRing = null;
      }
    }
    this.#shown = dialog;
  }

  override render() {
    const call = this.controller.call;
    const waiting = this.waiting;
    if (waiting) return this.#renderWaiting(waiting);
    if (!this.ringing || !call) return nothing;
    const busy = this.answering ? 'true' : nothing;
    const caller = this.controller.profileOf(call.caller);
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
          ${this.#renderAvatar(caller)}
          <h2 id="caller" part="caller" class="caller">${caller.name} is calling</h2>
          <p id="details" part="details" class="details">
            <slot name="details">${describeCall(call)}</slot>
          </p>
          ${this.controller.ringtoneBlocked
            ? html`<p part="sound-blocked" class="sound-blocked">
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${soundOffIcon}</svg>
                The browser silenced the ringtone until you click or press a key on this page.
              </p>`
            : nothing}
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

  #renderAvatar(caller: UserProfile) {
    return html`<div part="avatar" class="avatar" style=${styleMap({ '--avatar-color': avatarColorOf(caller.id) })}>
      <slot name="avatar"
        >${caller.avatarUrl
          ? html`<img part="avatar-image" class="avatar-image" src=${caller.avatarUrl} alt="" />`
          : html`<span aria-hidden="true">${initialsOf(caller.name)}</span>`}</slot
      >
    </div>`;
  }

  #renderWaiting(waiting: WaitingCall) {
    const busy = this.answering ? 'true' : nothing;
    const caller = this.controller.profileOf(waiting.caller);
    return html`
      <div part="overlay" class="overlay overlay--waiting">
        <div
          part="base"
          class="dialog dialog--waiting"
          role="alertdialog"
          aria-labelledby="caller"
          aria-describedby="details waiting-note"
          aria-busy=${busy}
          tabindex="-1"
          @keydown=${this.#onKeydown}
        >
          ${this.#renderAvatar(caller)}
          <h2 id="caller" part="caller" class="caller">${caller.name} is calling</h2>
          <p id="details" part="details" class="details">${describeCall(waiting)}</p>
          <p id="waiting-note" part="waiting-note" class="waiting-note">You are in a call: accepting ends it.</p>
          <div part="actions" class="actions">
            <button part="decline-button" class="action decline" type="button" aria-disabled=${busy} @click=${this.#declineWaiting}>
              <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${hangUpIcon}</svg>Decline
            </button>
            <button
              part="end-and-accept-button"
              class="action accept end-and-accept"
              type="button"
              aria-disabled=${busy}
              @click=${this.#acceptWaiting}
            >
              <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${phoneIcon}</svg>End call and accept
            </button>
          </div>
        </div>
      </div>
    `;
  }

  #acceptWaiting(): void {
    const waiting = this.waiting;
    if (this.answering || !waiting) return;
    const request = new CallWaitingAcceptEvent(waiting);
    if (!this.dispatchEvent(request)) return;
    this.#whileAnswering(this.controller.acceptWaiting());
  }

  #declineWaiting(): void {
    const waiting = this.waiting;
    if (this.answering || !waiting) return;
    const request = new CallWaitingDeclineEvent(waiting);
    if (!this.dispatchEvent(request)) return;
    this.#whileAnswering(this.controller.declineWaiting());
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
      if (this.waiting) this.#declineWaiting();
      else this.#decline();
    } else if (event.key === 'Tab' && this.ringing) {
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

import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { CallError, CallErrorEvent } from '../../controller/index.js';
import { permissionHelp, type BrowserFamily } from '../../controller/media/permission-help.js';
import { CallElement } from '../call-element.js';
import { joinedCall } from '../shared/in-call.js';
import { PermissionHelpRetryEvent } from './permission-help.events.js';
import styles from './permission-help.styles.js';

export * from './permission-help.events.js';

type Refused = 'microphone' | 'camera';

/**
 * @tag permission-help
 * @summary Shows, when the browser refused the microphone or camera, what that means for the call and how to allow it in this browser.
 *
 * Appears on a `permission-denied` for the microphone or camera: one the controller reports
 * (`call-error`: a call answered without the microphone, a video call gone on as voice), or one an
 * element relays from an action it started (a `<call-button>` whose call could not start), heard on
 * the window. It says what happened, lists the steps to allow the device in the user's browser
 * (Chrome, Edge, Firefox, Safari; detected from the user agent unless `browser` is set), and offers
 * "Try again" and "Close". It goes away by itself once the device works (opened, or allowed in the
 * browser's settings where the Permissions API reports it) and when the call it concerns ends.
 * It is a labelled region whose title is announced (`role="alert"`); focus is left where it was.
 *
 * @event {PermissionHelpRetryEvent} permission-help-retry - "Try again" was pressed. Cancelable: unless prevented,
 * in a call the controller turns the device on (`setMicrophoneEnabled(true)` or `setCameraEnabled(true)`: the
 * browser asks again, or refuses again); before a call the help closes, for the user to start the call again.
 * @event {CallErrorEvent} call-error - The retry failed (the help then stays, with the new reason).
 *
 * @csspart base - The panel.
 * @csspart title - The heading ("Microphone blocked").
 * @csspart message - What that means for the call.
 * @csspart steps - The ordered list of steps for this browser.
 * @csspart retry-button - "Try again".
 * @csspart close-button - "Close".
 *
 * @cssproperty [--meshcall-permission-help-background=#fff8e1] - Panel background.
 * @cssproperty [--meshcall-permission-help-color=#1f2430] - Text colour.
 * @cssproperty [--meshcall-permission-help-border-color=#f9a825] - The panel's accent border.
 * @cssproperty [--meshcall-permission-help-button-background=#1a73e8] - "Try again" background.
 * @cssproperty [--meshcall-permission-help-button-color=#ffffff] - "Try again" text colour.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 */
export class PermissionHelp extends CallElement {
  static override styles = [styles];

  /** The browser whose steps are shown; by default the one the user agent names. */
  @property() browser: BrowserFamily | undefined;

  /** The refusal shown, or null while hidden. */
  @state() private refusal: { device: Refused; error: CallError; inCall: boolean; callId: string | null } | null = null;

  #retrying = false;

  /** Whether a refusal is on show. */
  get open(): boolean {
    return this.refusal !== null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('call-error', this.#onPageError);
    this.#showUnavailable();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('call-error', this.#onPageError);
  }

  override render() {
    const refusal = this.refusal;
    if (!refusal) return nothing;
    const both = refusal.device === 'microphone' && !this.controller.cameraAvailable && this.controller.unavailableReason('camera')?.type === 'permission-denied';
    const what = both ? 'microphone and camera' : refusal.device;
    const help = permissionHelp(what, this.browser || undefined);
    const title = `${capitalise(what)} blocked`;
    return html`
      <section part="base" class="panel" aria-labelledby="title" aria-describedby="message">
        <div role="alert"><h2 part="title" id="title" class="title">${title}</h2></div>
        <p part="message" id="message" class="message">${this.#consequence(refusal)}</p>
        <p class="lead">${help.browserName ? `To allow it in ${help.browserName}:` : 'To allow it:'}</p>
        <ol part="steps" class="steps">
          ${help.steps.map((step) => html`<li>${step}</li>`)}
        </ol>
        <div class="actions">
          <button part="retry-button" class="retry" type="button" @click=${this.#onRetry}>Try again</button>
          <button part="close-button" class="close" type="button" @click=${this.#close}>Close</button>
        </div>
      </section>
    `;
  }

  #consequence(refusal: { device: Refused; error: CallError; inCall: boolean }): string {
    if (!refusal.inCall) return `${refusal.error.message} The call did not start.`;
    if (refusal.device === 'microphone') {
      return 'You are in the call without your microphone: the others cannot hear you, but you can still hear and see them.';
    }
    return 'The call went on without your camera: the others hear you but cannot see you.';
  }

  protected override onControllerEvent(event: Event): void {
    if (event instanceof CallErrorEvent) {
      this.show(event.error);
    } else if (event.type === 'call-device-availability') {
      const { device, available } = event as Event & { device: Refused; available: boolean };
      if (available && this.refusal?.device === device) this.refusal = null;
    } else if (this.refusal?.inCall && this.controller.call?.id !== this.refusal.callId) {
      // The call it concerned is over.
      this.refusal = null;
    }
  }

  #onPageError = (event: Event): void => {
    if (event instanceof CallErrorEvent) this.show(event.error);
  };

  /** A call already without its microphone (or camera) when this element arrives. */
  #showUnavailable(): void {
    for (const device of ['microphone', 'camera'] as const) {
      const reason = this.controller.unavailableReason(device);
      if (reason?.type === 'permission-denied' && !this.refusal) this.show(reason);
    }
  }

  /**
   * Shows the help for that error, when it is a refused microphone or camera; returns whether it
   * did. For a page that calls the controller itself (`startCall()` and its rejection): the help
   * cannot hear a rejection that no element relayed.
   */
  show(error: CallError): boolean {
    if (error.type !== 'permission-denied' || (error.device !== 'microphone' && error.device !== 'camera')) return false;
    // A microphone refusal says more than the camera's: it is not replaced by one.
    if (this.refusal?.device === 'microphone' && error.device === 'camera' && this.refusal.inCall) return true;
    // A call being answered counts: the microphone is refused before the call turns active.
    const call = this.controller.state === 'ending' ? null : this.controller.call;
    this.refusal = { device: error.device, error, inCall: call !== null, callId: call?.id ?? null };
    return true;
  }

  async #onRetry(): Promise<void> {
    const refusal = this.refusal;
    if (!refusal || this.#retrying) return;
    const request = new PermissionHelpRetryEvent(refusal.device, refusal.inCall);
    if (!this.dispatchEvent(request)) return;
    if (!refusal.inCall || !joinedCall(this.controller)) {
      this.#close();
      return;
    }
    this.#retrying = true;
    const turnOn = refusal.device === 'microphone' ? this.controller.setMicrophoneEnabled(true) : this.controller.setCameraEnabled(true);
    await this.relayFailure(turnOn);
    this.#retrying = false;
  }

  #close = (): void => {
    this.refusal = null;
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

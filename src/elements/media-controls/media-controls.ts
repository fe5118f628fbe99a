import { html, nothing, svg, type PropertyValues, type SVGTemplateResult } from 'lit';
import { property, query } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { CallError } from '../../controller/errors.js';
import { CallElement } from '../call-element.js';
import { CallCameraToggleEvent, CallHangupEvent, CallMicrophoneToggleEvent, CallScreenShareToggleEvent } from './media-controls.events.js';
import { cameraIcon, cameraOffIcon, hangUpIcon, microphoneIcon, microphoneOffIcon, screenShareIcon, soundOffIcon } from '../shared/icons.js';
import { joinedCall } from '../shared/in-call.js';
import { visuallyHidden } from '../shared/shared.styles.js';
import styles from './media-controls.styles.js';

export * from './media-controls.events.js';

/** A toolbar button's icon; the button's text, for screen readers, is beside it. */
const iconOf = (paths: SVGTemplateResult) =>
  svg`<svg part="icon" class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${paths}</svg>`;

/** What a toggle's description says while its device cannot be used in this call. */
function unavailableText(reason: CallError | null, device: string): string | null {
  if (!reason) return null;
  switch (reason.type) {
    case 'permission-denied':
      return `${device} unavailable: access was denied`;
    case 'device-not-found':
      return `${device} unavailable: none was found`;
    case 'device-in-use':
      return `${device} unavailable: in use by another program`;
    default:
      return `${device} unavailable`;
  }
}

/**
 * @tag media-controls
 * @summary The in-call toolbar: microphone, camera and screen-share toggles and the hang-up button.
 *
 * The toggles are `aria-pressed` buttons with fixed labels ("Microphone", "Camera", "Share screen"):
 * pressed means on. The screen-share toggle shows only where a screen can be shared (not on phones);
 * while someone else presents, its description says that sharing takes over from them.
 * A microphone or camera the call could not open (refused, missing) shows off with a "!" badge and
 * the reason as the toggle's description ("Microphone unavailable: access was denied"); pressing it
 * tries to open the device again.
 * Outside a call the toolbar is hidden, unless the page sets `show-when-idle`: then every button shows,
 * `aria-disabled` (still focusable, with the reason as its description).
 * Arrow keys, Home and End move between the buttons; the toolbar is a single tab stop.
 *
 * @slot extra - The page's own buttons (a device menu, say), placed before the hang-up button; they join
 * the toolbar's arrow-key navigation.
 *
 * @event {CallMicrophoneToggleEvent} call-microphone-toggle - The microphone button was pressed; `enabled` is the
 * state asked for. Cancelable: unless prevented, the controller's `setMicrophoneEnabled(enabled)` is called.
 * @event {CallCameraToggleEvent} call-camera-toggle - The camera button was pressed; `enabled` is the state asked for.
 * Cancelable: unless prevented, the controller's `setCameraEnabled(enabled)` is called.
 * @event {CallScreenShareToggleEvent} call-screen-share-toggle - The screen-share button was pressed; `enabled` is
 * the state asked for. Cancelable: unless prevented, the controller's `setScreenShareEnabled(enabled)` is called
 * (the browser then asks which screen; closing its picker shares nothing and is no error).
 * @event {CallHangupEvent} call-hangup - The hang-up button was pressed. Cancelable: unless prevented, the
 * controller's `hangUp()` is called (which cancels a call nobody has answered yet).
 * @event {CallErrorEvent} call-error - The controller rejected an action started here.
 *
 * @csspart base - The toolbar.
 * @csspart microphone-button - The microphone toggle.
 * @csspart camera-button - The camera toggle.
 * @csspart screen-share-button - The screen-share toggle (absent where no screen can be shared).
 * @csspart hangup-button - The hang-up button.
 * @csspart enable-sound-button - Shown first while the browser blocks the call's sound; a click plays it.
 * @csspart icon - The icon inside each button.
 * @csspart unavailable-badge - The "!" on the microphone or camera toggle while that device is unavailable.
 *
 * @cssproperty [--meshcall-control-size=3rem] - Diameter of the round buttons.
 * @cssproperty [--meshcall-control-gap=0.75rem] - Space between buttons.
 * @cssproperty [--meshcall-control-background=#e8eaed] - Button background while on.
 * @cssproperty [--meshcall-control-color=#1f2430] - Icon colour while on.
 * @cssproperty [--meshcall-control-hover-background=#d5d8dd] - Button background on hover.
 * @cssproperty [--meshcall-control-off-background=#c5221f] - Toggle background while off: red, the state people need to notice (white on it is 5.9:1).
 * @cssproperty [--meshcall-control-off-color=#ffffff] - Toggle icon colour while off.
 * @cssproperty [--meshcall-screen-share-on-background=#1a73e8] - Screen-share toggle background while sharing.
 * @cssproperty [--meshcall-screen-share-on-color=#ffffff] - Screen-share icon colour while sharing.
 * @cssproperty [--meshcall-hangup-background=#c62828] - Hang-up button background.
 * @cssproperty [--meshcall-hangup-hover-background=#a61f1f] - Hang-up button background on hover.
 * @cssproperty [--meshcall-hangup-color=#ffffff] - Hang-up icon colour.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 * @cssproperty [--meshcall-enable-sound-background=#f9a825] - Background of the "enable sound" button.
 * @cssproperty [--meshcall-enable-sound-color=#1a1a1a] - Icon colour of the "enable sound" button.
 * @cssproperty [--meshcall-unavailable-badge-background=#f9a825] - Background of the "!" badge of an unavailable device.
 * @cssproperty [--meshcall-unavailable-badge-color=#1a1a1a] - Colour of the "!" badge of an unavailable device.
 */
export class MediaControls extends CallElement {
  static override styles = [visuallyHidden, styles];

  /** The toolbar's accessible name. */
  @property() label = 'Call controls';

  /**
   * Keeps the toolbar on show outside a call, its buttons disabled (a page that lays out its call
   * view before the call starts, say). Without it the toolbar is hidden until there is a call.
   */
  @property({ type: Boolean, attribute: 'show-when-idle', reflect: true }) showWhenIdle = false;

  @query('.toolbar') private toolbar!: HTMLElement;
  @query('slot[name="extra"]') private extraSlot!: HTMLSlotElement;

  /** The toolbar item that is the tab stop. */
  #current: HTMLElement | null = null;

  override render() {
    const call = joinedCall(this.controller);
    const inCall = call !== null;
    // Local media starts asynchronously after the call is placed; the toggles wait for it.
    const mediaReady = inCall && call.local.stream !== null;
    const mediaReason = inCall ? 'Starting the microphone and camera…' : 'Available during a call';
    const microphoneOn = this.controller.microphoneEnabled;
    const cameraOn = this.controller.cameraEnabled;
    const microphoneUnavailable = inCall ? unavailableText(this.controller.unavailableReason('microphone'), 'Microphone') : null;
    const cameraUnavailable = inCall ? unavailableText(this.controller.unavailableReason('camera'), 'Camera') : null;
    const describe = (unavailable: string | null, id: string) => (mediaReady ? (unavailable ? id : undefined) : 'media-reason');
    return html`
      <div
        part="base"
        class="toolbar"
        role="toolbar"
        aria-label=${this.label}
        ?hidden=${!inCall && !this.showWhenIdle}
        @keydown=${this.#onKeyDown}
        @focusin=${this.#onFocusIn}
      >
        ${inCall && this.controller.audioBlocked
          ? html`<button part="enable-sound-button" class="control control--sound" type="button" title="Enable sound" @click=${this.#onEnableSoundClick}>
              ${iconOf(soundOffIcon)}<span class="visually-hidden">Enable sound: the browser muted the call</span>
            </button>`
          : nothing}
        <button
          part="microphone-button"
          class="control control--microphone"
          type="button"
          ?data-unavailable=${!!microphoneUnavailable}
          aria-pressed=${microphoneOn ? 'true' : 'false'}
          aria-disabled=${mediaReady ? 'false' : 'true'}
          aria-describedby=${ifDefined(describe(microphoneUnavailable, 'microphone-unavailable'))}
          title=${mediaReady ? (microphoneUnavailable ?? 'Microphone') : `Microphone: ${mediaReason}`}
          @click=${this.#onMicrophoneClick}
        >
          ${iconOf(microphoneOn ? microphoneIcon : microphoneOffIcon)}<span class="visually-hidden">Microphone</span>
          ${microphoneUnavailable ? html`<span part="unavailable-badge" class="badge" aria-hidden="true">!</span>` : nothing}
        </button>
        <button
          part="camera-button"
          class="control control--camera"
          type="button"
          ?data-unavailable=${!!cameraUnavailable}
          aria-pressed=${cameraOn ? 'true' : 'false'}
          aria-disabled=${mediaReady ? 'false' : 'true'}
          aria-describedby=${ifDefined(describe(cameraUnavailable, 'camera-unavailable'))}
          title=${mediaReady ? (cameraUnavailable ?? 'Camera') : `Camera: ${mediaReason}`}
          @click=${this.#onCameraClick}
        >
          ${iconOf(cameraOn ? cameraIcon : cameraOffIcon)}<span class="visually-hidden">Camera</span>
          ${cameraUnavailable ? html`<span part="unavailable-badge" class="badge" aria-hidden="true">!</span>` : nothing}
        </button>
        ${this.controller.screenShareSupported ? this.#renderScreenShare(mediaReady, mediaReason) : nothing}
        <slot name="extra" @slotchange=${this.#syncTabStops}></slot>
        <button
          part="hangup-button"
          class="control control--hangup"
          type="button"
          aria-disabled=${inCall ? 'false' : 'true'}
          aria-describedby=${ifDefined(inCall ? undefined : 'call-reason')}
          title=${inCall ? this.#hangupLabel : `${this.#hangupLabel}: Available during a call`}
          @click=${this.#onHangupClick}
        >
          ${iconOf(hangUpIcon)}<span class="visually-hidden">${this.#hangupLabel}</span>
        </button>
        <span id="media-reason" class="visually-hidden">${mediaReason}</span>
        <span id="microphone-unavailable" class="visually-hidden">${microphoneUnavailable ?? ''}</span>
        <span id="camera-unavailable" class="visually-hidden">${cameraUnavailable ?? ''}</span>
        <span id="screen-reason" class="visually-hidden">${this.#takeOverReason ?? ''}</span>
        <span id="call-reason" class="visually-hidden">Available during a call</span>
      </div>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.#syncTabStops();
  }

  #renderScreenShare(mediaReady: boolean, mediaReason: string) {
    const sharing = this.controller.screenShareEnabled;
    const takeOver = this.#takeOverReason;
    const describedBy = mediaReady ? (takeOver ? 'screen-reason' : undefined) : 'media-reason';
    const title = !mediaReady ? `Share screen: ${mediaReason}` : sharing ? 'Stop sharing the screen' : takeOver ? `Share screen: ${takeOver}` : 'Share screen';
    return html`<button
      part="screen-share-button"
      class="control control--screen"
      type="button"
      aria-pressed=${sharing ? 'true' : 'false'}
      aria-disabled=${mediaReady ? 'false' : 'true'}
      aria-describedby=${ifDefined(describedBy)}
      title=${title}
      @click=${this.#onScreenShareClick}
    >
      ${iconOf(screenShareIcon)}<span class="visually-hidden">Share screen</span>
    </button>`;
  }

  /** While someone else presents: that sharing takes over from them (one presenter at a time). */
  get #takeOverReason(): string | null {
    const call = joinedCall(this.controller);
    if (!call || this.controller.screenShareEnabled) return null;
    const presenter = [...call.participants.values()].find((participant) => participant.screenStream && participant.state !== 'left');
    return presenter ? `${this.controller.profileOf(presenter).name} is presenting; sharing takes over` : null;
  }

  get #hangupLabel(): string {
    return this.controller.state === 'outgoing' ? 'Cancel call' : 'Hang up';
  }

  #isDisabled(button: HTMLElement): boolean {
    return button.getAttribute('aria-disabled') === 'true';
  }

  #onMicrophoneClick(event: MouseEvent): void {
    if (this.#isDisabled(event.currentTarget as HTMLElement)) return;
    const request = new CallMicrophoneToggleEvent(!this.controller.microphoneEnabled);
    if (!this.dispatchEvent(request)) return;
    void this.relayFailure(this.controller.setMicrophoneEnabled(request.enabled));
  }

  #onCameraClick(event: MouseEvent): void {
    if (this.#isDisabled(event.currentTarget as HTMLElement)) return;
    const request = new CallCameraToggleEvent(!this.controller.cameraEnabled);
    if (!this.dispatchEvent(request)) return;
    void this.relayFailure(this.controller.setCameraEnabled(request.enabled));
  }

  #onScreenShareClick(event: MouseEvent): void {
    if (this.#isDisabled(event.currentTarget as HTMLElement)) return;
    const request = new CallScreenShareToggleEvent(!this.controller.screenShareEnabled);
    if (!this.dispatchEvent(request)) return;
    void this.relayFailure(this.controller.setScreenShareEnabled(request.enabled));
  }

  /** A click is the user gesture the browser waits for: no event, nothing for a page to decide. */
  #onEnableSoundClick(): void {
    void this.relayFailure(this.controller.resumeAudio());
  }

  #onHangupClick(event: MouseEvent): void {
    if (this.#isDisabled(event.currentTarget as HTMLElement)) return;
    const request = new CallHangupEvent();
    if (!this.dispatchEvent(request)) return;
    void this.relayFailure(this.controller.hangUp());
  }

  // ---- roving tab stop ----

  #items(): HTMLElement[] {
    const own = [...this.toolbar.querySelectorAll<HTMLElement>('.control')];
    const extra = this.extraSlot
      .assignedElements({ flatten: true })
      .filter((element): element is HTMLElement => element instanceof HTMLElement && !element.hidden);
    const hangup = own.pop()!;
    return [...own, ...extra, hangup];
  }

  #syncTabStops = (): void => {
    if (!this.toolbar) return;
    const items = this.#items();
    if (!this.#current || !items.includes(this.#current)) this.#current = items[0];
    for (const item of items) item.tabIndex = item === this.#current ? 0 : -1;
  };

  #onFocusIn(event: FocusEvent): void {
    const items = this.#items();
    const item = event.composedPath().find((target): target is HTMLElement => items.includes(target as HTMLElement));
    if (item && item !== this.#current) {
      this.#current = item;
      this.#syncTabStops();
    }
  }

  #onKeyDown(event: KeyboardEvent): void {
    const items = this.#items();
    const index = this.#current ? items.indexOf(this.#current) : 0;
    let next: number;
    switch (event.key) {
      case 'ArrowRight':
        next = (index + 1) % items.length;
        break;
      case 'ArrowLeft':
        next = (index - 1 + items.length) % items.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.#current = items[next];
    this.#syncTabStops();
    this.#current.focus();
  }
}

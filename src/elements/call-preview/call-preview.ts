import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { DevicePreview } from '../../controller/index.js';
import { CallElement } from '../call-element.js';
import { cameraOffIcon } from '../shared/icons.js';
import { visuallyHidden } from '../shared/shared.styles.js';
import { CallPreviewCameraToggleEvent, CallPreviewCloseEvent, CallPreviewJoinEvent, CallPreviewStartEvent } from './call-preview.events.js';
import styles from './call-preview.styles.js';

export * from './call-preview.events.js';

/** How often the meter's value is given to assistive technology: its bar moves every frame, its number need not. */
const METER_VALUE_INTERVAL_MS = 250;

/**
 * @tag call-preview
 * @summary Check camera and microphone before a call: a mirrored camera preview, a microphone level meter, the
 * device choice and whether to join with the camera on, then start or answer the call from there.
 *
 * The devices belong to the controller (`startPreview()`), so the call started or answered next takes the
 * preview's tracks over: no second permission prompt, no waiting for the camera again. The Join button answers
 * the ringing call, or, while idle, rings `participants` in `conversation`; it shows only when it can do one of
 * them. Closing the preview releases the devices. A meter (`role="meter"`) shows how loud the microphone is;
 * "Join with camera on" is a checkbox; the device choice is a `<device-picker>` (its parts are exported with a
 * `picker-` prefix).
 *
 * @event {CallPreviewStartEvent} call-preview-start - The user asked to turn on camera and microphone. Cancelable:
 * unless prevented, the controller's `startPreview()` is called.
 * @event {CallPreviewCameraToggleEvent} call-preview-camera-toggle - The user turned the camera on or off
 * (`enabled`). Cancelable: unless prevented, `setPreviewCameraEnabled()` is called.
 * @event {CallPreviewJoinEvent} call-preview-join - The user pressed Join (`video`: the camera choice).
 * Cancelable: unless prevented, the ringing call is accepted, or the element's call is placed.
 * @event {CallPreviewCloseEvent} call-preview-close - The user closed the preview. Cancelable: unless prevented,
 * `stopPreview()` is called.
 * @event {CallErrorEvent} call-error - The devices could not be opened, or the call not started or answered.
 *
 * @csspart base - The preview's frame. Its `data-state` is `closed` or `open`.
 * @csspart video-frame - The box of the camera picture (16:9).
 * @csspart video - The mirrored `<video>` of the camera.
 * @csspart camera-off - What the frame shows while the camera is off.
 * @csspart meter - The microphone level meter (`role="meter"`).
 * @csspart meter-fill - The meter's bar.
 * @csspart camera-option - The "Join with camera on" checkbox with its label.
 * @csspart start-button - The button that turns on camera and microphone.
 * @csspart join-button - The Join button.
 * @csspart close-button - The button that closes the preview.
 * @csspart actions - The row of buttons.
 *
 * @cssproperty [--meshcall-preview-background=#111827] - Background of the camera frame.
 * @cssproperty [--meshcall-preview-color=inherit] - Text colour outside the frame.
 * @cssproperty [--meshcall-preview-frame-color=#e5e7eb] - Text colour inside the frame.
 * @cssproperty [--meshcall-preview-radius=12px] - Corner radius of the frame.
 * @cssproperty [--meshcall-preview-meter-background=#d1d5db] - Track of the level meter.
 * @cssproperty [--meshcall-preview-meter-color=#16a34a] - Bar of the level meter.
 * @cssproperty [--meshcall-preview-join-background=#15803d] - Background of the Join button.
 * @cssproperty [--meshcall-preview-join-color=#ffffff] - Text colour of the Join button.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 */
export class CallPreview extends CallElement {
  static override styles = [visuallyHidden, styles];

  /** The conversation the Join button calls in while idle. */
  @property() conversation = '';

  /** The conversation's name, shown to the people rung. */
  @property({ attribute: 'conversation-title' }) conversationTitle = '';

  /** The user ids the Join button rings while idle, separated by spaces. */
  @property() participants = '';

  /** The Join button's text; by default "Join call" while rung, else "Start call". */
  @property({ attribute: 'join-label' }) joinLabel = '';

  #frame = 0;
  #meteredPreview: DevicePreview | null = null;
  #meterValueShownAt = 0;

  /** Whether the Join button can do something now: answer the ring, or place this element's call. */
  get canJoin(): boolean {
    const { state, user } = this.controller;
    if (state === 'incoming') return true;
    return state === 'idle' && this.conversation !== '' && this.participants.split(/\s+/).some((id) => id && id !== user?.id);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopMeter();
  }

  override render() {
    const preview = this.controller.preview;
    const state = this.controller.state;
    const canOpen = state === 'idle' || state === 'incoming';
    return html`
      <section part="base" class="base" data-state=${preview ? 'open' : 'closed'} aria-label="Camera and microphone check">
        <div part="video-frame" class="frame">
          ${preview?.cameraEnabled
            ? html`<video part="video" class="video" .srcObject=${preview.stream} autoplay playsinline .muted=${true} aria-label="Your camera"></video>`
            : html`<div part="camera-off" class="camera-off">
                <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${cameraOffIcon}</svg>
                <span>${preview ? 'Camera off' : 'Camera and microphone are off'}</span>
              </div>`}
        </div>
        ${preview ? this.#renderOpen(preview) : html`
          <div part="actions" class="actions">
            <button part="start-button" class="start" type="button" ?disabled=${!canOpen} @click=${this.#onStart}>
              Check camera and microphone
            </button>
          </div>
        `}
      </section>
    `;
  }

  #renderOpen(preview: DevicePreview) {
    const joinLabel = this.joinLabel || (this.controller.state === 'incoming' ? 'Join call' : 'Start call');
    return html`
      <div class="meter-row">
        <span id="meter-label">Microphone</span>
        <div part="meter" class="meter" role="meter" aria-labelledby="meter-label" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0">
          <div part="meter-fill" class="meter-fill"></div>
        </div>
      </div>
      <label part="camera-option" class="camera-option">
        <input type="checkbox" .checked=${preview.cameraEnabled} @change=${this.#onCameraChange} />
        Join with camera on
      </label>
      <device-picker .controller=${this.controller} label="Devices" exportparts="base: picker-base, legend: picker-legend, field: picker-field, select: picker-select, notice: picker-notice"></device-picker>
      <div part="actions" class="actions">
        ${this.canJoin ? html`<button part="join-button" class="join" type="button" @click=${this.#onJoin}>${joinLabel}</button>` : nothing}
        <button part="close-button" class="close" type="button" @click=${this.#onClose}>Close preview</button>
      </div>
    `;
  }

  protected override updated(): void {
    const preview = this.controller.preview;
    if (preview === this.#meteredPreview) return;
    this.#stopMeter();
    if (!preview) return;
    this.#meteredPreview = preview;
    this.#frame = requestAnimationFrame(this.#showLevel);
  }

  #showLevel = (time: number): void => {
    const preview = this.#meteredPreview;
    const meter = this.renderRoot.querySelector<HTMLElement>('.meter');
    if (!preview) return;
    const level = preview.microphoneLevel();
    meter?.style.setProperty('--level', String(level));
    if (meter && time - this.#meterValueShownAt >= METER_VALUE_INTERVAL_MS) {
      meter.setAttribute('aria-valuenow', String(Math.round(level * 100)));
      this.#meterValueShownAt = time;
    }
    this.#frame = requestAnimationFrame(this.#showLevel);
  };

  #stopMeter(): void {
    cancelAnimationFrame(this.#frame);
    this.#meteredPreview = null;
  }

  #onStart(): void {
    if (!this.dispatchEvent(new CallPreviewStartEvent())) return;
    void this.relayFailure(this.controller.startPreview());
  }

  #onCameraChange(event: Event): void {
    const checkbox = event.target as HTMLInputElement;
    const enabled = checkbox.checked;
    if (!this.dispatchEvent(new CallPreviewCameraToggleEvent(enabled))) {
      checkbox.checked = !enabled;
      return;
    }
    void this.relayFailure(this.controller.setPreviewCameraEnabled(enabled).finally(() => this.requestUpdate()));
  }

  #onJoin(): void {
    const video = this.controller.preview?.cameraEnabled ?? false;
    if (!this.dispatchEvent(new CallPreviewJoinEvent(video))) return;
    if (this.controller.state === 'incoming') {
      void this.relayFailure(this.controller.accept({ video }));
      return;
    }
    const participants = this.participants.split(/\s+/).filter(Boolean);
    const title = this.conversationTitle.trim();
    void this.relayFailure(
      this.controller.startCall({ conversationId: this.conversation, participants, video, ...(title ? { conversationTitle: title } : {}) }),
    );
  }

  #onClose(): void {
    if (!this.dispatchEvent(new CallPreviewCloseEvent())) return;
    void this.relayFailure(this.controller.stopPreview());
  }
}

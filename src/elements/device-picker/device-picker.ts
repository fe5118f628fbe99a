import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { DeviceKind, MediaDeviceOption } from '../../controller/index.js';
import { CallDeviceFallbackEvent } from '../../controller/index.js';
import { CallElement } from '../call-element.js';
import { CallDeviceSelectEvent } from './device-picker.events.js';
import styles from './device-picker.styles.js';

export * from './device-picker.events.js';

const NAMES: Record<DeviceKind, string> = { microphone: 'Microphone', camera: 'Camera', speaker: 'Speaker' };

/**
 * @tag device-picker
 * @summary The user's choice of microphone, camera and speaker, during a call or before one.
 *
 * Three labelled native selects (keyboard and screen-reader friendly as they come), each listing the
 * devices by name with "System default" first. Names appear once the browser granted a device (the
 * first call, say); until then devices show as "Camera 1", and so on. The speaker choice shows only
 * where the browser can route sound (`setSinkId`). A choice applies at once, mid-call included, and
 * is remembered for the next call. When a device in use is lost, or a remembered one is missing, a
 * notice (a polite live region) says which device is used instead.
 *
 * @event {CallDeviceSelectEvent} call-device-select - The user picked a device; `kind` and `deviceId` (null: the
 * default) say which. Cancelable: unless prevented, the controller's `setMicrophoneDevice`, `setCameraDevice` or
 * `setSpeakerDevice` is called.
 * @event {CallErrorEvent} call-error - The controller could not switch to the device picked (it keeps the old one).
 *
 * @csspart base - The fieldset around the selects.
 * @csspart legend - The group's visible name.
 * @csspart field - Each label with its select.
 * @csspart microphone-select - The microphone select.
 * @csspart camera-select - The camera select.
 * @csspart speaker-select - The speaker select (absent where no speaker can be chosen).
 * @csspart select - Every select.
 * @csspart notice - The message about a device used in place of the one wanted.
 *
 * @cssproperty [--meshcall-device-picker-gap=0.75rem] - Space between the fields.
 * @cssproperty [--meshcall-device-picker-color=inherit] - Text colour of the labels.
 * @cssproperty [--meshcall-device-picker-border-color=#8a8f98] - Border of the selects.
 * @cssproperty [--meshcall-device-picker-select-background=#ffffff] - Background of the selects.
 * @cssproperty [--meshcall-device-picker-select-color=#1f2430] - Text colour of the selects.
 * @cssproperty [--meshcall-device-picker-notice-background=#fff4ce] - Background of the notice.
 * @cssproperty [--meshcall-device-picker-notice-color=#3d2e00] - Text colour of the notice.
 * @cssproperty [--meshcall-focus-ring-color=#2563eb] - Colour of the keyboard focus ring.
 */
/** The option to show selected: a choice the list does not hold (gone, or not named yet) shows as the default. */
function shownChoice(options: readonly MediaDeviceOption[], selected: string | null): string {
  return selected && options.some((option) => option.deviceId === selected) ? selected : '';
}

export class DevicePicker extends CallElement {
  static override styles = styles;

  /** The group's visible and accessible name. */
  @property() label = 'Devices';

  @state() private notice = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // Devices plugged in while no call ran, and names granted since, show without a call.
    this.controller.listDevices().catch(() => undefined);
  }

  override render() {
    const { devices, selectedDevices, speakerSelectionSupported } = this.controller;
    return html`
      <fieldset part="base">
        <legend part="legend">${this.label}</legend>
        ${this.#field('microphone', devices.microphones, selectedDevices.microphone)}
        ${this.#field('camera', devices.cameras, selectedDevices.camera)}
        ${speakerSelectionSupported ? this.#field('speaker', devices.speakers, selectedDevices.speaker) : nothing}
        <p part="notice" class="notice" role="status">${this.notice}</p>
      </fieldset>
    `;
  }

  #field(kind: DeviceKind, options: readonly MediaDeviceOption[], selected: string | null) {
    return html`
      <label part="field">
        ${NAMES[kind]}
        <select part="select ${kind}-select" data-kind=${kind} data-selected=${shownChoice(options, selected)} @change=${this.#onChange}>
          <option value="">System default</option>
          ${options.map((option, index) => html`<option value=${option.deviceId}>${option.label || `${NAMES[kind]} ${index + 1}`}</option>`)}
        </select>
      </label>
    `;
  }

  protected override updated(): void {
    // Set after the options exist, and again after a pick the controller refused or the page cancelled:
    // the select shows the device in use, not the last one touched.
    for (const select of this.renderRoot.querySelectorAll('select')) select.value = select.dataset.selected ?? '';
  }

  #onChange = (event: Event): void => {
    const select = event.target as HTMLSelectElement;
    const kind = select.dataset.kind as DeviceKind;
    const deviceId = select.value || null;
    const request = new CallDeviceSelectEvent(kind, deviceId);
    if (!this.dispatchEvent(request)) {
      this.requestUpdate();
      return;
    }
    this.notice = '';
    const action = kind === 'microphone' ? this.controller.setMicrophoneDevice(deviceId)
      : kind === 'camera' ? this.controller.setCameraDevice(deviceId)
      : this.controller.setSpeakerDevice(deviceId);
    // A refused switch leaves the old device: show it selected again.
    void this.relayFailure(action.finally(() => this.requestUpdate()));
  };

  protected override onControllerEvent(event: Event): void {
    if (!(event instanceof CallDeviceFallbackEvent)) return;
    const name = NAMES[event.kind];
    const replacement = event.device?.label || (event.device ? `another ${event.kind}` : null);
    if (event.reason === 'lost') {
      this.notice = replacement ? `${name} disconnected: now using ${replacement}.` : `${name} disconnected, and no other ${event.kind} works.`;
    } else {
      this.notice = `The ${event.kind} you chose is not connected: using ${replacement ?? 'the system default'}.`;
    }
  }
}

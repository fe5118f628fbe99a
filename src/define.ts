import { CallAnnouncer, CallButton, CallGrid, CallHistoryList, CallPreview, DevicePicker, IncomingCall, MediaControls, PermissionHelp } from './index.js';

export * from './index.js';

const elements: Array<[string, CustomElementConstructor]> = [
  ['call-button', CallButton],
  ['incoming-call', IncomingCall],
  ['call-grid', CallGrid],
  ['media-controls', MediaControls],
  ['call-history', CallHistoryList],
  ['call-announcer', CallAnnouncer],
  ['device-picker', DevicePicker],
  ['call-preview', CallPreview],
  ['permission-help', PermissionHelp],
];

// Defining twice throws; a page may load both the bundle and the module build.
for (const [tag, element] of elements) {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

declare global {
  interface HTMLElementTagNameMap {
    'call-button': CallButton;
    'incoming-call': IncomingCall;
    'call-grid': CallGrid;
    'media-controls': MediaControls;
    'call-history': CallHistoryList;
    'call-announcer': CallAnnouncer;
    'device-picker': DevicePicker;
    'call-preview': CallPreview;
    'permission-help': PermissionHelp;
  }
}

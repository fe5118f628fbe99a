import { CallController } from './call-controller.js';

export * from './call-controller.js';
export * from './errors.js';
export * from './events.js';
export type * from './model.js';
export { CallHistory, DEFAULT_HISTORY_LIMIT, IndexedDbHistoryStore, MemoryHistoryStore } from './history/call-history.js';
export type * from './history/call-history.js';
export { describeCall } from './text.js';
export type { RingKind, RingPlayer } from './ringing/ringtone.js';
export type { NotificationMode } from './ringing/ring-alerts.js';
export type { MediaConstraints } from './media/local-media.js';
export { detectBrowser, permissionHelp } from './media/permission-help.js';
export type { BrowserFamily, PermissionSteps } from './media/permission-help.js';
export type { DeviceChoice, DeviceKind, DeviceList, MediaDeviceOption } from './media/devices.js';
export type { DevicePreview } from './media/device-preview.js';
export type { NetworkQuality } from './quality/network-quality.js';
export type { ConnectionStats, QualityLimitationReason, VideoShape } from './quality/stats.js';
export type { SignallingFactory, SignallingHandlers, SignallingState, SignallingTransport, SignallingConfig } from './transport/signalling.js';

/** The controller every element uses unless its `controller` property points at another one. */
export const callController = new CallController();

import type { DeviceKind } from '../../controller/index.js';

const USER_ACTION: EventInit = { bubbles: true, composed: true, cancelable: true };

/** The user picked a device. Cancel it to keep the controller from switching. */
export class CallDeviceSelectEvent extends Event {
  constructor(
    readonly kind: DeviceKind,
    /** The device picked; null for the browser's default. */
    readonly deviceId: string | null,
  ) {
    super('call-device-select', USER_ACTION);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'call-device-select': CallDeviceSelectEvent;
  }
}

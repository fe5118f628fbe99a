/** The three kinds of device a user picks: what `enumerateDevices` calls audioinput, videoinput, audiooutput. */
export type DeviceKind = 'microphone' | 'camera' | 'speaker';

export const DEVICE_KINDS: readonly DeviceKind[] = ['microphone', 'camera', 'speaker'];

export interface MediaDeviceOption {
  readonly kind: DeviceKind;
  readonly deviceId: string;
  /** Empty until the page was granted a device of that kind: browsers hide names before. */
  readonly label: string;
}

export interface DeviceList {
  readonly microphones: readonly MediaDeviceOption[];
  readonly cameras: readonly MediaDeviceOption[];
  readonly speakers: readonly MediaDeviceOption[];
}

/** The chosen device of each kind; null is the browser's default. */
export type DeviceChoice = Record<DeviceKind, string | null>;

export const NO_DEVICES: DeviceList = { microphones: [], cameras: [], speakers: [] };

const KIND_OF: Record<string, DeviceKind> = { audioinput: 'microphone', videoinput: 'camera', audiooutput: 'speaker' };

export function devicesOfKind(list: DeviceList, kind: DeviceKind): readonly MediaDeviceOption[] {
  return kind === 'microphone' ? list.microphones : kind === 'camera' ? list.cameras : list.speakers;
}

/** The devices the browser offers now. Before any permission browsers give at most one nameless entry per kind. */
export async function enumerateDevices(): Promise<DeviceList> {
  if (!navigator.mediaDevices?.enumerateDevices) return NO_DEVICES;
  const found = await navigator.mediaDevices.enumerateDevices();
  const options: Record<DeviceKind, MediaDeviceOption[]> = { microphone: [], camera: [], speaker: [] };
  for (const device of found) {
    const kind = KIND_OF[device.kind];
    // A nameless, id-less entry stands for "there is such a device, ask first": nothing to pick.
    if (!kind || !device.deviceId) continue;
    options[kind].push({ kind, deviceId: device.deviceId, label: device.label });
  }
  return { microphones: options.microphone, cameras: options.camera, speakers: options.speaker };
}

/** Whether the browser can route sound to a chosen output (`HTMLMediaElement.setSinkId`). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

const STORAGE_PREFIX = 'meshcall:device:';

/**
 * The user's choice per kind, kept in localStorage so that the next call (and the next visit) uses
 * it. Storage may be blocked (private modes, policies): the choice then lasts as long as the page.
 */
export class DevicePreferences {
  #memory: DeviceChoice = { microphone: null, camera: null, speaker: null };

  constructor() {
    for (const kind of DEVICE_KINDS) this.#memory[kind] = readStorage(STORAGE_PREFIX + kind);
  }

  get(kind: DeviceKind): string | null {
    return this.#memory[kind];
  }

  set(kind: DeviceKind, deviceId: string | null): void {
    this.#memory[kind] = deviceId;
    try {
      if (deviceId === null) localStorage.removeItem(STORAGE_PREFIX + kind);
      else localStorage.setItem(STORAGE_PREFIX + kind, deviceId);
    } catch {
      // Kept in memory only.
    }
  }

  all(): DeviceChoice {
    return { ...this.#memory };
  }
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

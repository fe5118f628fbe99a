/**
 * Follows the browser's permission for the microphone and camera (Permissions API) while a call
 * has one of them refused, so that allowing it in the browser's settings is noticed without a
 * reload. Where the browser cannot report these permissions (Safari before 16, some embedded
 * views), nothing is watched: turning the device on from the page still asks again.
 */
export class PermissionWatch {
  #statuses = new Map<'microphone' | 'camera', PermissionStatus>();
  #stopped = false;

  constructor(private readonly onGranted: (device: 'microphone' | 'camera') => void) {}

  /** Starts following that device's permission; once granted, `onGranted` runs once for it. */
  async watch(device: 'microphone' | 'camera'): Promise<void> {
    if (this.#stopped || this.#statuses.has(device) || !navigator.permissions?.query) return;
    let status: PermissionStatus;
    try {
      status = await navigator.permissions.query({ name: device as PermissionName });
    } catch {
      // This browser does not know that permission name.
      return;
    }
    if (this.#stopped || this.#statuses.has(device)) return;
    this.#statuses.set(device, status);
    status.onchange = () => {
      if (status.state !== 'granted' || this.#statuses.get(device) !== status) return;
      this.#forget(device);
      this.onGranted(device);
    };
  }

  #forget(device: 'microphone' | 'camera'): void {
    const status = this.#statuses.get(device);
    if (status) status.onchange = null;
    this.#statuses.delete(device);
  }

  stop(): void {
    this.#stopped = true;
    for (const device of [...this.#statuses.keys()]) this.#forget(device);
  }
}

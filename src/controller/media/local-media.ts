import { CallError, insecureContextError, mediaError, type MediaDeviceKind } from '../errors.js';

export interface MediaConstraints {
  audio?: MediaTrackConstraints;
  video?: MediaTrackConstraints;
}

export const DEFAULT_MEDIA_CONSTRAINTS: Required<MediaConstraints> = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  // A mesh sends one copy per participant: a modest default keeps a group call within an uplink.
  video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } },
};

/**
 * What `start` got: the camera may fail on its own without stopping a call, and, when `start` was
 * told to listen without it, the microphone too.
 */
export interface MediaStartResult {
  cameraError: CallError | null;
  microphoneError: CallError | null;
}

/**
 * The local microphone and camera for one call. The microphone is required; the camera is optional
 * and can come and go during the call.
 */
export type CaptureKind = 'microphone' | 'camera';

export class LocalMedia {
  /** The local preview: the microphone track and, while on, the camera track. */
  readonly stream = new MediaStream();
  #audio: MediaStreamTrack | null = null;
  #video: MediaStreamTrack | null = null;
  #stopped = false;
  /** The device each kind is opened from next; null is the browser's default. */
  #deviceIds: Record<CaptureKind, string | null>;

  /**
   * `devices`: the devices to open, tried first and replaced by the default when gone.
   * `onEnded`: a track in use ended by itself (the device was unplugged, or taken by the system).
   */
  constructor(
    private readonly constraints: Required<MediaConstraints>,
    devices: Record<CaptureKind, string | null>,
    private readonly onEnded: (kind: CaptureKind, track: MediaStreamTrack) => void,
  ) {
    this.#deviceIds = { ...devices };
  }

  /** The device a track in use comes from, as the browser reports it. */
  deviceIdOf(kind: CaptureKind): string | null {
    const track = kind === 'microphone' ? this.#audio : this.#video;
    return track?.getSettings().deviceId ?? null;
  }

  get microphoneEnabled(): boolean {
    return this.#audio?.enabled ?? false;
  }

  get cameraEnabled(): boolean {
    return this.#video !== null;
  }

  /** What every connection sends: the microphone (muted by disabling it) and the camera while on. */
  get audioTrack(): MediaStreamTrack | null {
    return this.#audio;
  }

  get videoTrack(): MediaStreamTrack | null {
    return this.#video;
  }

  /**
   * Opens the microphone, and the camera when `video`; one permission prompt for both. A chosen
   * device that is not there gives way to the default of its kind. With `listenWithoutMicrophone`, a
   * microphone that cannot be opened is no failure: the result says why, and the call receives only
   * (the camera is still opened when asked for and allowed).
   */
  async start(video: boolean, listenWithoutMicrophone = false): Promise<MediaStartResult> {
    try {
      return await this.#open(video, listenWithoutMicrophone);
    } catch (error) {
      if (!this.#deviceIds.microphone && !this.#deviceIds.camera) throw error;
      if (!isMissingDevice(error)) throw error;
      await this.#forgetMissingDevices();
      return this.#open(video, listenWithoutMicrophone);
    }
  }

  async #open(video: boolean, listenWithoutMicrophone: boolean): Promise<MediaStartResult> {
    let cameraError: CallError | null = null;
    let microphoneError: CallError | null = null;
    // A chosen device that is gone: `start` retries with the default.
    const retriable = (error: unknown) => isMissingDevice(error) && !!(this.#deviceIds.microphone || this.#deviceIds.camera);
    const microphoneOnly = async (): Promise<MediaStream | null> => {
      try {
        return await getUserMedia({ audio: this.#preferred('microphone') }, 'microphone');
      } catch (error) {
        if (!listenWithoutMicrophone || retriable(error)) throw error;
        microphoneError = error as CallError;
        return null;
      }
    };
    let stream: MediaStream | null;
    if (video) {
      try {
        stream = await getUserMedia({ audio: this.#preferred('microphone'), video: this.#preferred('camera') }, 'microphone', 'camera');
      } catch (combined) {
        if (retriable(combined)) throw combined;
        // Tell a missing or refused camera apart from a missing microphone: retry with audio alone.
        stream = await microphoneOnly();
        if (stream) {
          cameraError = mediaError((combined as CallError).cause, 'camera');
        } else {
          // No microphone: the camera alone may still be allowed.
          stream = await getUserMedia({ video: this.#preferred('camera') }, 'camera').catch((error: CallError) => {
            cameraError = error;
            return null;
          });
        }
      }
    } else {
      stream = await microphoneOnly();
    }
    if (this.#stopped) {
      if (stream) stopAll(stream);
      throw new CallError('invalid-state', 'The call ended while the devices were starting.');
    }
    this.#audio = stream?.getAudioTracks()[0] ?? null;
    this.#video = stream?.getVideoTracks()[0] ?? null;
    for (const track of stream?.getTracks() ?? []) this.#adopt(track);
    return { cameraError, microphoneError };
  }

  /** Drops the chosen devices the browser does not list; all of them when it hides its list. */
  async #forgetMissingDevices(): Promise<void> {
    const listed = new Set((await navigator.mediaDevices.enumerateDevices().catch(() => [])).map((device) => device.deviceId));
    const kinds: CaptureKind[] = ['microphone', 'camera'];
    const missing = kinds.filter((kind) => this.#deviceIds[kind] && !listed.has(this.#deviceIds[kind]!));
    for (const kind of missing.length > 0 ? missing : kinds) this.#deviceIds[kind] = null;
  }

  setMicrophoneEnabled(enabled: boolean): void {
    if (this.#audio) this.#audio.enabled = enabled;
  }

  /**
   * Opens the microphone of a call that went on without it (receive-only), unmuted; resolves with
   * the new track, or with the current one when there is one.
   */
  async startMicrophone(): Promise<MediaStreamTrack> {
    if (this.#audio) return this.#audio;
    const stream = await getUserMedia({ audio: this.#preferred('microphone') }, 'microphone');
    const track = stream.getAudioTracks()[0];
    if (this.#stopped || !track || this.#audio) {
      stopAll(stream);
      if (this.#audio) return this.#audio;
      throw new CallError('invalid-state', 'The call ended while the microphone was starting.');
    }
    this.#audio = track;
    this.#adopt(track);
    return track;
  }

  /** Opens the camera; resolves with the new track, or with the current one when it is already on. */
  async startCamera(): Promise<MediaStreamTrack> {
    if (this.#video) return this.#video;
    const stream = await getUserMedia({ video: this.#preferred('camera') }, 'camera');
    const track = stream.getVideoTracks()[0];
    if (this.#stopped || !track || this.#video) {
      stopAll(stream);
      if (this.#video) return this.#video;
      throw new CallError('invalid-state', 'The call ended while the camera was starting.');
    }
    this.#video = track;
    this.#adopt(track);
    return track;
  }

  /**
   * Opens that device (null: the default) in place of the one in use, and stops the old track; a
   * camera that is off only remembers it for when it is turned on. Resolves with the new track, or
   * null when nothing was opened. Rejects, keeping the old track, when the device cannot be opened.
   */
  async switchDevice(kind: CaptureKind, deviceId: string | null): Promise<MediaStreamTrack | null> {
    const old = kind === 'microphone' ? this.#audio : this.#video;
    if (!old) {
      this.#deviceIds[kind] = deviceId;
      return null;
    }
    const base = kind === 'microphone' ? this.constraints.audio : this.constraints.video;
    const constraints = deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
    const stream = await getUserMedia(kind === 'microphone' ? { audio: constraints } : { video: constraints }, kind);
    const track = stream.getTracks()[0];
    const current = kind === 'microphone' ? this.#audio : this.#video;
    if (this.#stopped || !track || current !== old) {
      // The call ended or the camera went off meanwhile: the new track has no place.
      stopAll(stream);
      if (this.#stopped) throw new CallError('invalid-state', 'The call ended while the device was starting.');
      return current;
    }
    this.#deviceIds[kind] = deviceId;
    track.enabled = old.enabled;
    if (kind === 'microphone') this.#audio = track;
    else this.#video = track;
    this.#release(old);
    this.#adopt(track);
    return track;
  }

  /** The constraints of that kind, for the chosen device only (`ideal` would let the browser prefer another). */
  #preferred(kind: CaptureKind): MediaTrackConstraints {
    const base = kind === 'microphone' ? this.constraints.audio : this.constraints.video;
    const deviceId = this.#deviceIds[kind];
    return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
  }

  #adopt(track: MediaStreamTrack): void {
    // The handler property, not a listener: Firefox 153 delivers an `ended` dispatched on a track
    // (as tests do, standing in for an unplugged device) to `onended` only.
    track.onended = this.#onTrackEnded;
    this.stream.addTrack(track);
  }

  #release(track: MediaStreamTrack): void {
    track.onended = null;
    track.stop();
    this.stream.removeTrack(track);
  }

  #onTrackEnded = (event: Event): void => {
    const track = event.target as MediaStreamTrack;
    if (this.#stopped) return;
    if (track === this.#audio) this.onEnded('microphone', track);
    else if (track === this.#video) this.onEnded('camera', track);
  };

  /** Stops the camera device itself, so its light goes off. */
  stopCamera(): void {
    if (!this.#video) return;
    this.#release(this.#video);
    this.#video = null;
  }

  stop(): void {
    this.#stopped = true;
    for (const track of this.stream.getTracks()) this.#release(track);
    this.#audio = null;
    this.#video = null;
  }
}

async function getUserMedia(constraints: MediaStreamConstraints, ...devices: [MediaDeviceKind, ...MediaDeviceKind[]]): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    if (!globalThis.isSecureContext) throw insecureContextError(devices[0]);
    throw new CallError('media-failed', 'This browser cannot capture a microphone or camera.', { device: devices[0] });
  }
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    throw mediaError(error, ...devices);
  }
}

/** The device asked for is not there (unplugged since it was chosen). */
function isMissingDevice(error: unknown): boolean {
  const name = ((error as CallError).cause as DOMException | undefined)?.name;
  return name === 'OverconstrainedError' || name === 'NotFoundError';
}

function stopAll(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

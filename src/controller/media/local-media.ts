import { CallError, mediaError } from '../errors.js';

export interface MediaConstraints {
  audio?: MediaTrackConstraints;
  video?: MediaTrackConstraints;
}

export const DEFAULT_MEDIA_CONSTRAINTS: Required<MediaConstraints> = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  // A mesh sends one copy per participant: a modest default keeps a group call within an uplink.
  video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } },
};

/** What `start` got: the camera may fail on its own without stopping a call. */
export interface MediaStartResult {
  cameraError: CallError | null;
}

/**
 * The local microphone and camera for one call. The microphone is required; the camera is optional
 * and can come and go during the call.
 */
export class LocalMedia {
  /** The local preview: the microphone track and, while on, the camera track. */
  readonly stream = new MediaStream();
  #audio: MediaStreamTrack | null = null;
  #video: MediaStreamTrack | null = null;
  #stopped = false;

  constructor(private readonly constraints: Required<MediaConstraints>) {}

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

  /** Opens the microphone, and the camera when `video`; one permission prompt for both. */
  async start(video: boolean): Promise<MediaStartResult> {
    let cameraError: CallError | null = null;
    let stream: MediaStream;
    if (video) {
      try {
        stream = await getUserMedia({ audio: this.constraints.audio, video: this.constraints.video }, 'microphone and camera');
      } catch (combined) {
        // Tell a missing or refused camera apart from a missing microphone: retry with audio alone.
        stream = await getUserMedia({ audio: this.constraints.audio }, 'microphone');
        cameraError = mediaError((combined as CallError).cause, 'camera');
      }
    } else {
      stream = await getUserMedia({ audio: this.constraints.audio }, 'microphone');
    }
    if (this.#stopped) {
      stopAll(stream);
      throw new CallError('invalid-state', 'The call ended while the devices were starting.');
    }
    this.#audio = stream.getAudioTracks()[0] ?? null;
    this.#video = stream.getVideoTracks()[0] ?? null;
    for (const track of stream.getTracks()) this.stream.addTrack(track);
    return { cameraError };
  }

  setMicrophoneEnabled(enabled: boolean): void {
    if (this.#audio) this.#audio.enabled = enabled;
  }

  /** Opens the camera; resolves with the new track, or with the current one when it is already on. */
  async startCamera(): Promise<MediaStreamTrack> {
    if (this.#video) return this.#video;
    const stream = await getUserMedia({ video: this.constraints.video }, 'camera');
    const track = stream.getVideoTracks()[0];
    if (this.#stopped || !track) {
      stopAll(stream);
      throw new CallError('invalid-state', 'The call ended while the camera was starting.');
    }
    this.#video = track;
    this.stream.addTrack(track);
    return track;
  }

  /** Stops the camera device itself, so its light goes off. */
  stopCamera(): void {
    if (!this.#video) return;
    this.#video.stop();
    this.stream.removeTrack(this.#video);
    this.#video = null;
  }

  stop(): void {
    this.#stopped = true;
    for (const track of this.stream.getTracks()) {
      track.stop();
      this.stream.removeTrack(track);
    }
    this.#audio = null;
    this.#video = null;
  }
}

async function getUserMedia(constraints: MediaStreamConstraints, device: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CallError('media-failed', 'This browser cannot capture media here (a secure context is required).');
  }
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    throw mediaError(error, device);
  }
}

function stopAll(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

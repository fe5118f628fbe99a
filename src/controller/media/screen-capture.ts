import { CallError } from '../errors.js';

/**
 * Where a shared screen comes from: by default the browser's picker (`getDisplayMedia`). An app
 * shell with a picker of its own (Electron's desktop capturer) gives its own, as do tests in a
 * browser that has no screen to capture (headless Firefox).
 */
export type DisplayMediaSource = (options: DisplayMediaStreamOptions) => Promise<MediaStream>;

/** Slides and code, not motion: a few frames a second at the screen's own resolution. */
export const DISPLAY_MEDIA_OPTIONS: DisplayMediaStreamOptions = {
  video: { frameRate: { ideal: 15, max: 30 } },
  audio: false,
};

/** Whether this browser (or the page's own source) can share a screen at all. */
export function canShareScreen(source: DisplayMediaSource | null): boolean {
  return source !== null || typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/**
 * Asks for a screen, a window or a tab. Resolves with null when the user closed the picker without
 * choosing: no share, and nothing went wrong.
 */
export async function captureScreen(source: DisplayMediaSource | null): Promise<MediaStream | null> {
  if (!canShareScreen(source)) {
    throw new CallError('screen-share-unsupported', 'This browser cannot share a screen here (a secure context on a desktop browser is required).');
  }
  try {
    return await (source ?? ((options) => navigator.mediaDevices.getDisplayMedia(options)))(DISPLAY_MEDIA_OPTIONS);
  } catch (error) {
    if (isCancelledPicker(error)) return null;
    throw displayMediaError(error);
  }
}

/**
 * A closed picker rejects with `NotAllowedError` (or `AbortError` in some browsers), as a refusal
 * does: it is a refusal only when the system or the page's permissions policy said no, which their
 * messages and the policy tell.
 */
function isCancelledPicker(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'AbortError') return true;
  if (name !== 'NotAllowedError') return false;
  const message = error instanceof Error ? error.message : '';
  return !/system|polic/i.test(message) && displayCaptureAllowed();
}

function displayCaptureAllowed(): boolean {
  const policy = (document as Document & { featurePolicy?: { allowsFeature(feature: string): boolean } }).featurePolicy;
  return policy?.allowsFeature('display-capture') ?? true;
}

/** Maps a getDisplayMedia failure other than a closed picker to the error a page can act on. */
function displayMediaError(error: unknown): CallError {
  const options = { cause: error, device: 'screen' as const };
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CallError('permission-denied', 'Screen sharing is not allowed: the system or the page refused it.', options);
    case 'NotFoundError':
      return new CallError('device-not-found', 'There is no screen to share.', options);
    case 'NotReadableError':
      return new CallError('device-in-use', 'The screen could not be captured: the system or another program holds it.', options);
    case 'InvalidStateError':
    case 'InvalidAccessError':
      return new CallError('invalid-state', 'Screen sharing has to start from a click or a key press.', options);
    default:
      return new CallError('media-failed', 'The screen could not be shared.', options);
  }
}

function errorName(error: unknown): string {
  return error instanceof DOMException || error instanceof Error ? error.name : '';
}

/**
 * One shared screen: its video track, sent for legibility (`contentHint: detail`: encoders keep
 * text sharp rather than motion smooth). The browser's own "stop sharing" control ends the track;
 * `onEnded` then runs as if the user had pressed the toggle.
 */
export class ScreenCapture {
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
  #stopped = false;

  constructor(
    captured: MediaStream,
    /** Where this share stands on the call's share clock (see `call/screen-share-order.ts`). */
    readonly clock: number,
    onEnded: () => void,
  ) {
    const [track, ...rest] = captured.getVideoTracks();
    // A display stream may carry the tab's audio when a browser offers it; only the picture is shared.
    for (const other of [...rest, ...captured.getAudioTracks()]) other.stop();
    if (!track) throw new CallError('media-failed', 'The chosen screen gave no picture.');
    if ('contentHint' in track) track.contentHint = 'detail';
    this.track = track;
    this.stream = new MediaStream([track]);
    // The handler property, not a listener: Firefox 153 delivers an `ended` event that is dispatched
    // on a track (as tests do, for the browser's control) to `onended` only.
    track.onended = () => {
      if (!this.#stopped) onEnded();
    };
  }

  stop(): void {
    this.#stopped = true;
    this.track.stop();
  }
}

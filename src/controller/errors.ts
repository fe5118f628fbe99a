/**
 * What went wrong, as a machine-readable string: pages switch on it to pick a message or a recovery.
 *
 * - `permission-denied`: the user or the browser refused the microphone or camera.
 * - `device-not-found`: there is no microphone or camera to use, or not the one asked for by id (unplugged).
 * - `device-in-use`: the device exists but another program holds it.
 * - `overconstrained`: no device of that kind can meet the constraints the page asked for (`connect({ media })`), a size or frame rate say.
 * - `insecure-context`: the page is not a secure context (https or localhost), where browsers offer no
 *   `navigator.mediaDevices` at all.
 * - `media-failed`: getting local media failed for another reason.
 * - `peer-unavailable`: the user called is not connected to the signalling server.
 * - `server-unreachable`: the signalling server could not be reached, or the connection to it was lost.
 * - `identity-in-use`: this user is already connected elsewhere (another tab or device).
 * - `unauthorized`: the signalling server refused our credentials (`server.key`, or the host app's
 *   `server.token` its check did not accept: an expired session, say).
 * - `not-connected`: the method needs `connect()` first.
 * - `invalid-state`: the method does not apply in the current state (accepting with no incoming call, say).
 * - `invalid-options`: the options given to a method are incomplete or malformed.
 * - `connection-failed`: the media connection with a participant failed or was lost.
 * - `protocol-error`: someone sent what this version does not understand, faster than the rate limit
 *   allows, or what they are not entitled to (entering a call they were not invited to); reported
 *   once per sender and call, and dropped.
 * - `ice-servers-unavailable`: the page's ICE server provider (TURN credentials) failed or timed out.
 * - `screen-share-unsupported`: this browser cannot share a screen (no `getDisplayMedia`, as on phones, or
 *   not a secure context).
 * - `speaker-selection-unsupported`: this browser plays sound to its default output only (no `setSinkId`).
 * - `history-unavailable`: the browser refused to store the call history (IndexedDB blocked or full); it
 *   is kept in memory until the page closes.
 */
export type CallErrorType =
  | 'permission-denied'
  | 'device-not-found'
  | 'device-in-use'
  | 'overconstrained'
  | 'insecure-context'
  | 'media-failed'
  | 'peer-unavailable'
  | 'server-unreachable'
  | 'identity-in-use'
  | 'unauthorized'
  | 'not-connected'
  | 'invalid-state'
  | 'invalid-options'
  | 'connection-failed'
  | 'protocol-error'
  | 'ice-servers-unavailable'
  | 'screen-share-unsupported'
  | 'speaker-selection-unsupported'
  | 'history-unavailable';

/** The local device a media error concerns. */
export type MediaDeviceKind = 'microphone' | 'camera' | 'screen' | 'speaker';

export interface CallErrorOptions {
  /** The remote user the error concerns, when there is one. */
  userId?: string;
  /** The local device a media error concerns, when there is one. */
  device?: MediaDeviceKind;
  cause?: unknown;
}

/** An error raised by meshcall, always with a {@link CallErrorType}. */
export class CallError extends Error {
  readonly type: CallErrorType;
  readonly userId?: string;
  /** For a media error: the device it concerns (with `permission-denied`, what to allow). */
  readonly device?: MediaDeviceKind;

  constructor(type: CallErrorType, message: string, options: CallErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CallError';
    this.type = type;
    this.userId = options.userId;
    this.device = options.device;
  }
}

const DEVICE_NAMES: Record<MediaDeviceKind, string> = { microphone: 'microphone', camera: 'camera', screen: 'screen', speaker: 'speaker' };

/**
 * Maps a getUserMedia rejection to the error a page can act on. `devices` are the kinds asked for
 * (the first one is named on the error when both were asked at once).
 */
export function mediaError(error: unknown, ...devices: [MediaDeviceKind, ...MediaDeviceKind[]]): CallError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const what = devices.map((device) => DEVICE_NAMES[device]).join(' and ');
  const options = { cause: error, device: devices[0] };
  switch (name) {
    case 'NotAllowedError':
      return new CallError('permission-denied', `Access to the ${what} was denied.`, options);
    case 'SecurityError':
      // Thrown where a permissions policy (an iframe without `allow="microphone"`) forbids the device.
      return new CallError('permission-denied', `This page is not allowed to use the ${what}.`, options);
    case 'NotFoundError':
      return new CallError('device-not-found', `No ${what} was found.`, options);
    case 'OverconstrainedError': {
      const constraint = (error as { constraint?: string }).constraint;
      // The device asked for by id is not there (unplugged, or from another machine): none was found.
      if (constraint === 'deviceId' || constraint === 'groupId') return new CallError('device-not-found', `The chosen ${what} was not found.`, options);
      const detail = constraint ? ` (${constraint})` : '';
      return new CallError('overconstrained', `No ${what} can meet the settings this page asked for${detail}.`, options);
    }
    case 'NotReadableError':
    case 'AbortError':
      return new CallError('device-in-use', `The ${what} is in use by another program.`, options);
    default:
      return new CallError('media-failed', `The ${what} could not be started.`, options);
  }
}

/** Browsers offer no capture outside a secure context: `navigator.mediaDevices` is undefined there. */
export function insecureContextError(device: MediaDeviceKind): CallError {
  return new CallError(
    'insecure-context',
    `The ${DEVICE_NAMES[device]} can only be used on a secure page (https, or localhost while developing).`,
    { device },
  );
}

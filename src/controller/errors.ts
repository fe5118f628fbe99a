/**
 * What went wrong, as a machine-readable string: pages switch on it to pick a message or a recovery.
 *
 * - `permission-denied`: the user or the browser refused the microphone or camera.
 * - `device-not-found`: there is no microphone or camera to use.
 * - `device-in-use`: the device exists but another program holds it.
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

export interface CallErrorOptions {
  /** The remote user the error concerns, when there is one. */
  userId?: string;
  cause?: unknown;
}

/** An error raised by meshcall, always with a {@link CallErrorType}. */
export class CallError extends Error {
  readonly type: CallErrorType;
  readonly userId?: string;

  constructor(type: CallErrorType, message: string, options: CallErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CallError';
    this.type = type;
    this.userId = options.userId;
  }
}

/** Maps a getUserMedia rejection to the error a page can act on. */
export function mediaError(error: unknown, device: string): CallError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CallError('permission-denied', `Access to the ${device} was denied.`, { cause: error });
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new CallError('device-not-found', `No ${device} was found.`, { cause: error });
    case 'NotReadableError':
    case 'AbortError':
      return new CallError('device-in-use', `The ${device} is in use by another program.`, { cause: error });
    default:
      return new CallError('media-failed', `The ${device} could not be started.`, { cause: error });
  }
}

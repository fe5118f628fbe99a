import type { UserInfo } from './model.js';
import type { NetworkQuality } from './quality/network-quality.js';
import { toOneLine } from './text.js';
import { isCallSecret } from './call/invitation.js';
import { exceedsJsonDepth } from './json-depth.js';
import { isResumeGrace } from './call/resume.js';

/**
 * Messages between participants: control messages (the call) and signals (the connection that
 * carries it), over each pair's data channel or, until that is open, relayed by the signalling
 * server. Everything that arrives is validated: a peer running another version, or a hostile one,
 * must not be able to crash the call.
 */
export const PROTOCOL_VERSION = 1;

export type RosterState = 'ringing' | 'joined' | 'left';

export interface RosterEntry extends UserInfo {
  state: RosterState;
  /** Counts the invitations of this user to this call, so that news of an older one loses. */
  epoch: number;
  /** For a ringing user, how long their inviter lets it ring, in ms. */
  timeout?: number;
}

export interface MediaState {
  microphone: boolean;
  camera: boolean;
  /**
   * While sharing a screen: which share it is, on a clock every participant advances past every
   * share it hears of (see `call/screen-share-order.ts`). Absent while not sharing.
   */
  screen?: number;
}

export type ControlMessage =
  | {
      type: 'ring';
      callId: string;
      conversationId: string;
      video: boolean;
      from: UserInfo;
      media: MediaState;
      roster: RosterEntry[];
      /** How long the caller lets it ring, in ms. */
      timeout: number;
      /** The conversation's name as the caller's page gave it: plain text, shown as text only. */
      conversationTitle?: string;
      /** The call's invitation secret (see call/invitation.ts): what the invitee shows members to be let in. */
      secret: string;
    }
  | { type: 'accept'; callId: string; user: UserInfo; media: MediaState }
  | { type: 'decline'; callId: string; busy: boolean }
  | { type: 'cancel'; callId: string }
  | { type: 'join'; callId: string; user: UserInfo; media: MediaState; epoch: number; secret: string }
  | { type: 'roster'; callId: string; roster: RosterEntry[] }
  | { type: 'media'; callId: string; media: MediaState }
  /** The sender's uplink as it measures it, and whether it paused its camera to us for the network. */
  | { type: 'quality'; callId: string; uplink: NetworkQuality; videoPaused: boolean }
  | { type: 'hangup'; callId: string }
  /**
   * The sender's page is going away (a reload, a navigation) and may come back: hold it as
   * reconnecting for `grace` ms (bounded by the receiver), not as hung up.
   */
  | { type: 'away'; callId: string; grace: number }
  /**
   * Which of the sender's transceivers on this connection carries its screen (its negotiated mid),
   * or null for none: a mid names one m-line of one connection, so it travels only over that
   * connection's data channel.
   */
  | { type: 'screen-track'; callId: string; mid: string | null };

/**
 * Negotiation of one pair's RTCPeerConnection. `from` names the sender's connection and `to` the
 * receiver's (null until the sender has heard from it), so that signals of a connection that was
 * since replaced are told apart from those of the current one.
 */
export interface SignalMessage {
  type: 'signal';
  callId: string;
  from: string;
  to: string | null;
  description?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit;
}

export type PeerMessage = ControlMessage | SignalMessage;

const MAX_TEXT = 128;
/** A conversation title is a line of text: a group's name, not a message. */
export const MAX_TITLE_LENGTH = 120;
const MAX_SDP = 64 * 1024;
const MAX_CANDIDATE = 1024;
/** Larger payloads are refused before they are parsed. */
export const MAX_MESSAGE_BYTES = 96 * 1024;
/** A ring nests 4 deep (message, roster, entry): deeper text is refused before it is parsed. */
export const MAX_MESSAGE_DEPTH = 8;
const MAX_ROSTER = 32;
const MIN_RING_MS = 1000;
const MAX_RING_MS = 10 * 60 * 1000;

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Epochs only grow by one per invitation; the bound keeps them ordinary integers. */
const isEpoch = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1_000_000;
const isRingTimeout = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= MIN_RING_MS && (value as number) <= MAX_RING_MS;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;

function user(value: unknown): UserInfo | null {
  if (!isObject(value) || !isText(value.id)) return null;
  const name = isText(value.name) ? value.name : value.id;
  return { id: value.id, name };
}

function media(value: unknown): MediaState | null {
  if (!isObject(value) || typeof value.microphone !== 'boolean' || typeof value.camera !== 'boolean') return null;
  const state: MediaState = { microphone: value.microphone, camera: value.camera };
  if (value.screen === undefined) return state;
  if (!isShareClock(value.screen)) return null;
  state.screen = value.screen;
  return state;
}

/** A share's place on the call's share clock: grows by one per share. */
const isShareClock = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1_000_000;
/** A media id as browsers write them (RFC 8843 allows any token; ours are digits, Firefox's too). */
const isMid = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_.\-]{1,32}$/.test(value);

function roster(value: unknown): RosterEntry[] | null {
  if (!Array.isArray(value) || value.length > MAX_ROSTER) return null;
  const entries: RosterEntry[] = [];
  for (const item of value) {
    const info = user(item);
    const state = isObject(item) ? item.state : undefined;
    const epoch = isObject(item) ? item.epoch : undefined;
    if (!info || (state !== 'ringing' && state !== 'joined' && state !== 'left') || !isEpoch(epoch)) return null;
    const timeout = isObject(item) ? item.timeout : undefined;
    if (timeout === undefined) entries.push({ ...info, state, epoch });
    else if (isRingTimeout(timeout)) entries.push({ ...info, state, epoch, timeout });
    else return null;
  }
  return entries;
}

const isNetworkQuality = (value: unknown): value is NetworkQuality =>
  value === 'excellent' || value === 'good' || value === 'poor' || value === 'lost';

const isShortText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const isOptionalText = (value: unknown): value is string | null | undefined => value == null || isText(value);

function description(value: unknown): RTCSessionDescriptionInit | null {
  if (!isObject(value) || (value.type !== 'offer' && value.type !== 'answer') || !isShortText(value.sdp, MAX_SDP)) return null;
  return { type: value.type, sdp: value.sdp };
}

function candidate(value: unknown): RTCIceCandidateInit | null {
  if (!isObject(value) || !isShortText(value.candidate, MAX_CANDIDATE) || !isOptionalText(value.sdpMid)) return null;
  if (!isOptionalText(value.usernameFragment)) return null;
  const index = value.sdpMLineIndex;
  if (index != null && !(Number.isInteger(index) && (index as number) >= 0 && (index as number) < 64)) return null;
  return {
    candidate: value.candidate,
    sdpMid: value.sdpMid ?? null,
    sdpMLineIndex: (index as number | null | undefined) ?? null,
    usernameFragment: value.usernameFragment ?? null,
  };
}

function signal(data: Fields, callId: string): SignalMessage | null {
  if (!isText(data.from) || !(data.to === null || isText(data.to))) return null;
  const message: SignalMessage = { type: 'signal', callId, from: data.from, to: data.to };
  if (data.description !== undefined) {
    const parsed = description(data.description);
    if (!parsed) return null;
    message.description = parsed;
  } else if (data.candidate !== undefined) {
    const parsed = candidate(data.candidate);
    if (!parsed) return null;
    message.candidate = parsed;
  } else {
    return null;
  }
  return message;
}

/** A message that arrived as text (over a data channel): parsed only when it is small enough. */
export function parseMessageText(text: unknown): PeerMessage | null {
  if (typeof text !== 'string' || text.length > MAX_MESSAGE_BYTES || exceedsJsonDepth(text, MAX_MESSAGE_DEPTH)) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  return parsePeerMessage(data);
}

/** The message, or null when the data is not a well-formed message of this protocol version. */
export function parsePeerMessage(data: unknown): PeerMessage | null {
  if (!isObject(data) || data.v !== PROTOCOL_VERSION || !isText(data.callId)) return null;
  if (data.type === 'signal') return signal(data, data.callId);
  return parseControlMessage(data);
}

/** The control message, or null when the data is not a well-formed control message of this version. */
export function parseControlMessage(data: unknown): ControlMessage | null {
  if (!isObject(data) || data.v !== PROTOCOL_VERSION || !isText(data.callId)) return null;
  const callId = data.callId;
  switch (data.type) {
    case 'ring': {
      const from = user(data.from);
      const entries = roster(data.roster);
      const state = media(data.media);
      const timeout = data.timeout;
      if (!from || !entries || !state || !isText(data.conversationId) || typeof data.video !== 'boolean') return null;
      if (!isRingTimeout(timeout) || !isCallSecret(data.secret)) return null;
      const ring: ControlMessage = {
        type: 'ring',
        callId,
        conversationId: data.conversationId,
        video: data.video,
        from,
        media: state,
        roster: entries,
        timeout,
        secret: data.secret,
      };
      if (data.conversationTitle !== undefined) {
        if (!isShortText(data.conversationTitle, MAX_TITLE_LENGTH)) return null;
        const title = toOneLine(data.conversationTitle);
        if (title) ring.conversationTitle = title;
      }
      return ring;
    }
    case 'accept': {
      const info = user(data.user);
      const state = media(data.media);
      return info && state ? { type: 'accept', callId, user: info, media: state } : null;
    }
    case 'join': {
      const info = user(data.user);
      const state = media(data.media);
      if (!info || !state || !isEpoch(data.epoch) || !isCallSecret(data.secret)) return null;
      return { type: 'join', callId, user: info, media: state, epoch: data.epoch, secret: data.secret };
    }
    case 'decline':
      return typeof data.busy === 'boolean' ? { type: 'decline', callId, busy: data.busy } : null;
    case 'cancel':
      return { type: 'cancel', callId };
    case 'roster': {
      const entries = roster(data.roster);
      return entries ? { type: 'roster', callId, roster: entries } : null;
    }
    case 'media': {
      const state = media(data.media);
      return state ? { type: 'media', callId, media: state } : null;
    }
    case 'quality':
      return isNetworkQuality(data.uplink) && typeof data.videoPaused === 'boolean'
        ? { type: 'quality', callId, uplink: data.uplink, videoPaused: data.videoPaused }
        : null;
    case 'hangup':
      return { type: 'hangup', callId };
    case 'away':
      return isResumeGrace(data.grace) ? { type: 'away', callId, grace: data.grace } : null;
    case 'screen-track':
      return data.mid === null || isMid(data.mid) ? { type: 'screen-track', callId, mid: data.mid } : null;
    default:
      return null;
  }
}

export function toWire<M extends PeerMessage>(message: M): M & { v: number } {
  return { ...message, v: PROTOCOL_VERSION };
}

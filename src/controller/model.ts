import type { NetworkQuality } from './quality/network-quality.js';

/** Where the controller is; one value at a time, changed only through its guarded setter. */
export type CallState =
  | 'disconnected' // not registered with the signalling server
  | 'connecting' // registering, or re-registering after the server connection dropped while idle
  | 'idle' // registered, no call
  | 'outgoing' // ringing others, nobody has answered yet
  | 'incoming' // being rung
  | 'active' // in a call with at least one other participant answered
  | 'ending'; // the call is over for us; goodbyes are being delivered and connections closed

/**
 * A remote participant's progress through a call.
 * `ringing`: invited, has not answered; `connecting`: answered, media not flowing yet;
 * `connected`: media connection up; `left`: gone (see the reason on `call-participant-left`).
 */
export type ParticipantState = 'ringing' | 'connecting' | 'connected' | 'left';

/** Why a participant left a call. */
export type LeaveReason =
  | 'hangup' // they hung up
  | 'declined' // they declined the ring
  | 'busy' // they were in another call
  | 'no-answer' // the ring timed out
  | 'cancelled' // the ring was withdrawn before they answered
  | 'unavailable' // they are not connected to the signalling server
  | 'connection-lost' // their media or control connection failed
  | 'did-not-return'; // they left the page (a reload, a navigation) and did not rejoin within its grace

/** Why a call ended, from the local user's point of view. */
export type CallEndReason =
  | 'hangup' // we hung up an answered call
  | 'cancelled' // we withdrew our ring before anyone answered, or the caller withdrew theirs
  | 'crossed' // we and the one we rang rang each other at once: our ring gave way to theirs, which we answered
  | 'declined' // we declined, or everyone we rang declined
  | 'busy' // everyone we rang was in another call
  | 'no-answer' // nobody answered our ring in time
  | 'missed' // we did not answer a ring in time
  | 'unavailable' // nobody we rang was reachable
  | 'remote-hangup' // everyone else left
  | 'connection-lost' // every connection to the others failed
  | 'error'; // the call could not go on (see the preceding `call-error`)

export type CallDirection = 'outgoing' | 'incoming';

export interface UserInfo {
  readonly id: string;
  readonly name: string;
}

export interface Participant extends UserInfo {
  readonly isLocal: boolean;
  readonly state: ParticipantState;
  readonly microphoneEnabled: boolean;
  readonly cameraEnabled: boolean;
  /** The participant's audio and video; for the local participant, the local preview. */
  readonly stream: MediaStream | null;
  /**
   * How well the network carries the call with them (for the local participant: our own uplink);
   * null until measured, once the call is up. See `call-quality-change`.
   */
  readonly networkQuality: NetworkQuality | null;
  /** They paused their camera to us because the network could not carry it; it comes back by itself. */
  readonly videoPaused: boolean;
  /**
   * Whether they are speaking now, from their audio level: on after about a quarter of a second of
   * voice, off after a second without; never while their microphone is off. See `call-speaking-change`.
   */
  readonly speaking: boolean;
  /**
   * Their connection was up and is being repaired (state `connecting`): ICE restarts, then a fresh
   * connection, for at most 30 s from the interruption, after which they leave with
   * `connection-lost`. Also set while they are {@link away}. `call-participant-change` tells.
   */
  readonly reconnecting: boolean;
  /**
   * Their page went away (a reload, a navigation) saying it may come back: they show as
   * `connecting` until they rejoin, or leave with `did-not-return` once the grace they asked for is over.
   */
  readonly away: boolean;
  /**
   * The screen they share, as a video stream of its own beside the camera; null while they share
   * none. For the local participant, what we share.
   */
  readonly screenStream: MediaStream | null;
}

/**
 * Why our screen share stopped without `setScreenShareEnabled(false)`: `ended` by the browser's own
 * "stop sharing" control (or the shared window closed), `taken-over` by another participant who
 * started sharing (one presenter at a time).
 */
export type ScreenShareEndReason = 'ended' | 'taken-over';

export interface Call {
  readonly id: string;
  /** The page's conversation this call belongs to. */
  readonly conversationId: string;
  /**
   * The conversation's name, as the caller's page gave it (`startCall({ conversationTitle })`), one
   * line of plain text; null when it gave none. Another user's page wrote it: show it as text only.
   */
  readonly conversationTitle: string | null;
  readonly direction: CallDirection;
  /** Whether the call was placed as a video call. */
  readonly video: boolean;
  /** Who placed the call (for an outgoing call, the local user). */
  readonly caller: UserInfo;
  readonly local: Participant;
  /** Remote participants, ringing ones included, in the order they were added. */
  readonly participants: ReadonlyMap<string, Participant>;
  readonly createdAt: number;
  /** When the first participant answered; null until then. */
  readonly answeredAt: number | null;
  /**
   * The remote participant who speaks, or spoke last, steadied for a speaker layout: it changes once
   * a new speaker has spoken 1.5 s, at most every 2 s. Never the local user (nobody wants to watch
   * themselves large); null until someone has spoken. See `call-active-speaker-change`.
   */
  readonly activeSpeakerId: string | null;
  /** The call was taken up again by this page after a reload or a navigation (see `call-resumed`). */
  readonly resumed: boolean;
}

/** The controller's mutable participant; pages see it through the read-only {@link Participant}. */
export class ParticipantRecord implements Participant {
  state: ParticipantState;
  /** When `state` last changed, to give up on participants who stay ringing or connecting. */
  stateSince = Date.now();
  /** Which invitation of this user to this call we know of; see {@link CallRecord.departed}. */
  epoch = 1;
  /** While ringing: how long their inviter lets it ring, when we know it. */
  ringTimeout: number | null = null;
  microphoneEnabled = true;
  cameraEnabled = false;
  stream: MediaStream | null = null;
  networkQuality: NetworkQuality | null = null;
  videoPaused = false;
  speaking = false;
  /** The uplink they last reported; their level is the worse of it and our own measure. */
  reportedUplink: NetworkQuality | null = null;
  /** Our measure of the link with them. */
  linkQuality: NetworkQuality | null = null;
  screenStream: MediaStream | null = null;
  /** While they say they share: their share's place on the share clock. */
  screenClock: number | null = null;
  /** While they are away (see {@link Participant.away}): until when we hold them. */
  awayUntil: number | null = null;
  reconnecting = false;

  get away(): boolean {
    return this.awayUntil !== null;
  }

  constructor(
    readonly id: string,
    public name: string,
    readonly isLocal: boolean,
    state: ParticipantState,
  ) {
    this.state = state;
  }
}

export class CallRecord implements Call {
  readonly participants = new Map<string, ParticipantRecord>();
  /**
   * Users who left this call, with the invitation (epoch) they left: gossip about that invitation
   * must not bring them back, while a newer invitation does.
   */
  readonly departed = new Map<string, number>();
  /** Set from the page that went away, for a resumed call. */
  createdAt = Date.now();
  answeredAt: number | null = null;
  conversationTitle: string | null = null;
  activeSpeakerId: string | null = null;
  resumed = false;

  constructor(
    readonly id: string,
    readonly conversationId: string,
    readonly direction: CallDirection,
    readonly video: boolean,
    readonly caller: UserInfo,
    readonly local: ParticipantRecord,
  ) {}
}

/**
 * How the page names a person: what its resolver (`connect({ resolveUser })`) said, else the name
 * the page gave when it rang them, else the name they gave themselves. Elements show this.
 */
export interface UserProfile {
  readonly id: string;
  readonly name: string;
  /** A picture of them, from the page's resolver; null for none (elements draw initials). */
  readonly avatarUrl: string | null;
}

/** What a page's resolver says about a user; anything it leaves out falls back. */
export interface ResolvedUser {
  name?: string;
  avatarUrl?: string;
}

/**
 * Tells the controller how the page names a user. It may answer at once or with a promise, and
 * `null` or `undefined` for a user it does not know. It is asked once per user id (until
 * `setUserResolver` replaces it); a failure counts as "unknown".
 */
export type UserResolver = (userId: string) => ResolvedUser | null | undefined | Promise<ResolvedUser | null | undefined>;

/**
 * A call that rings while we are in another one (`call-waiting`). Nothing is connected for it
 * until it is accepted, which ends the current call.
 */
export interface WaitingCall {
  readonly id: string;
  readonly conversationId: string;
  readonly conversationTitle: string | null;
  readonly video: boolean;
  readonly caller: UserInfo;
  /** When it started ringing here. */
  readonly receivedAt: number;
}

/** How a waiting call stopped waiting. */
export type WaitingEndReason =
  | 'accepted' // we accepted it (ending the call we were in)
  | 'declined' // we turned it down; the caller was answered busy
  | 'cancelled' // the caller withdrew it, or their ring timed out
  | 'missed' // nothing heard from the caller by the end of their ring time
  | 'ringing'; // the call we were in ended first: it now rings as an ordinary incoming call

import { Peer, type DataConnection, type MediaConnection, type PeerError } from 'peerjs';
import { CallError } from './errors.js';
import {
  CallEndedEvent,
  CallErrorEvent,
  CallIncomingEvent,
  CallParticipantChangeEvent,
  CallParticipantJoinedEvent,
  CallParticipantLeftEvent,
  CallStateChangeEvent,
  type CallControllerEventMap,
} from './events.js';
import { DEFAULT_MEDIA_CONSTRAINTS, LocalMedia, releasePlaceholder, type MediaConstraints } from './local-media.js';
import {
  CallRecord,
  ParticipantRecord,
  type Call,
  type CallEndReason,
  type CallState,
  type LeaveReason,
  type ParticipantState,
  type UserInfo,
} from './model.js';
import { PeerLink } from './peer-link.js';
import { isValidNamespace, peerIdForUser, userForPeerId } from './peer-id.js';
import { isEpoch, parseControlMessage, toWire, type ControlMessage, type MediaState, type RosterEntry } from './protocol.js';

export interface ServerOptions {
  host: string;
  port: number;
  /** Where the PeerServer is mounted; defaults to `/`. */
  path?: string;
  secure?: boolean;
  key?: string;
}

export interface ConnectOptions {
  user: { id: string; name?: string };
  /** The PeerServer to register with. Required: there is no public default. */
  server: ServerOptions;
  /** STUN/TURN servers; defaults to none (host candidates only), never to a public service. */
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Keeps apps that share one PeerServer apart; letters and digits. Defaults to `meshcall`. */
  namespace?: string;
  /** How long a ring lasts before it counts as unanswered, in ms. Defaults to 30 s. */
  ringTimeout?: number;
  /** How long to wait for the PeerServer to register us, in ms. Defaults to 10 s. */
  connectTimeout?: number;
  media?: MediaConstraints;
}

export interface StartCallOptions {
  conversationId: string;
  /** The users to ring: ids, or ids with display names. */
  participants: ReadonlyArray<string | { id: string; name?: string }>;
  video?: boolean;
}

export interface AcceptOptions {
  /** Answer with the camera on; defaults to whether the call was placed as a video call. */
  video?: boolean;
}

interface ResolvedOptions {
  server: Required<ServerOptions>;
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  namespace: string;
  ringTimeout: number;
  connectTimeout: number;
  media: Required<MediaConstraints>;
}

interface ActiveCall {
  record: CallRecord;
  media: LocalMedia | null;
  /** Set while the devices start, so that a second accept is refused instead of opening them twice. */
  startingMedia: boolean;
  /** Whose ring we answered; null for the call's caller. */
  inviterId: string | null;
  /** The inviter's media offer, sent with the ring and answered on accept. */
  heldOffer: MediaConnection | null;
  /** Offers from others who rang us for the same call at the same time, answered on accept too. */
  otherOffers: Map<string, MediaConnection>;
  /** How long our ring lasts, as the inviter told us. */
  ringTimeout: number;
  /** Which invitation of ours to this call this is. */
  selfEpoch: number;
  /** Gives up on participants who stay ringing or connecting (see {@link CallController.#sweep}). */
  sweepTimer?: ReturnType<typeof setInterval>;
  ringTimers: Map<string, ReturnType<typeof setTimeout>>;
  incomingTimer?: ReturnType<typeof setTimeout>;
}

/** A call's bookkeeping before any device or timer is started. */
function newActiveCall(
  record: CallRecord,
  ringing: Pick<ActiveCall, 'inviterId' | 'heldOffer' | 'otherOffers' | 'ringTimeout' | 'selfEpoch'>,
): ActiveCall {
  return { record, media: null, startingMedia: false, ringTimers: new Map(), ...ringing };
}

const TRANSITIONS: Record<CallState, readonly CallState[]> = {
  disconnected: ['connecting'],
  connecting: ['idle', 'disconnected'],
  idle: ['outgoing', 'incoming', 'connecting', 'disconnected'],
  outgoing: ['active', 'ending'],
  incoming: ['active', 'ending'],
  active: ['ending'],
  ending: ['idle', 'connecting', 'disconnected'],
};

const PARTICIPANT_TRANSITIONS: Record<ParticipantState, readonly ParticipantState[]> = {
  ringing: ['connecting', 'left'],
  connecting: ['connected', 'left'],
  connected: ['connecting', 'left'],
  left: [],
};

/** How long goodbyes may take to reach the others before connections are closed regardless. */
const DRAIN_TIMEOUT_MS = 1000;
/** How long a media connection may stay interrupted before the participant counts as lost. */
const RECONNECT_GRACE_MS = 8000;
/** A callee ends its own ring this long after the caller's timeout, in case the caller vanished. */
const RING_FALLBACK_MS = 5000;
/** An incoming control channel that says nothing useful within this time is closed. */
const HANDSHAKE_TIMEOUT_MS = 10000;
const SERVER_RETRY_MAX_MS = 15000;
const ID_TAKEN_RETRIES = 3;
/** How long an answered participant may take to connect before we give up on them. */
const CONNECT_TIMEOUT_MS = 20000;
const SWEEP_INTERVAL_MS = 2000;

export interface CallController {
  addEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (this: CallController, event: CallControllerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CallControllerEventMap>(
    type: K,
    listener: (this: CallController, event: CallControllerEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * Owns everything a call needs: registration with the signalling server, local media, the mesh of
 * connections to the other participants, the control protocol between them and the state machines.
 * Elements only read its state and call its methods.
 */
export class CallController extends EventTarget {
  #state: CallState = 'disconnected';
  #options: ResolvedOptions | null = null;
  #user: UserInfo | null = null;
  #peer: Peer | null = null;
  #call: ActiveCall | null = null;
  #links = new Map<string, PeerLink>();
  /** Incoming control channels not yet tied to a call, waiting for their first message. */
  #handshakes = new Set<DataConnection>();
  /** Media offers that came with rings which have not arrived yet, by call id, then by caller. */
  #heldOffers = new Map<string, Map<string, MediaConnection>>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The page is hidden in the back/forward cache: registration is given up until it is shown again. */
  #suspended = false;
  #retryDelay = 1000;
  /** An outage of the signalling server was reported and has not ended yet. */
  #serverUnreachable = false;
  /** Re-registrations refused because our id was still taken, typically by our own previous socket. */
  #idTakenRetries = 0;
  #cameraChange: Promise<void> = Promise.resolve();
  /** Goodbyes still being delivered; `hangUp()` and `disconnect()` wait for them. */
  #closing = new Set<Promise<void>>();

  get state(): CallState {
    return this.#state;
  }

  /** The user registered with `connect()`, or null. */
  get user(): UserInfo | null {
    return this.#user;
  }

  /** The current call, ringing or answered, or null. */
  get call(): Call | null {
    return this.#call?.record ?? null;
  }

  get microphoneEnabled(): boolean {
    return this.#call?.record.local.microphoneEnabled ?? false;
  }

  get cameraEnabled(): boolean {
    return this.#call?.record.local.cameraEnabled ?? false;
  }

  /** Registers with the PeerServer. Rejects (and fires `call-error`) if that is not possible. */
  async connect(options: ConnectOptions): Promise<void> {
    if (this.#state !== 'disconnected') {
      throw this.#report(new CallError('invalid-state', 'Already connected; call disconnect() first.'));
    }
    let resolved: ResolvedOptions;
    try {
      resolved = resolveOptions(options);
    } catch (error) {
      throw this.#report(error as CallError);
    }
    const user = { id: options.user.id, name: options.user.name?.trim() || options.user.id };
    this.#options = resolved;
    this.#user = user;
    this.#setState('connecting');
    const peer = new Peer(peerIdForUser(user.id, resolved.namespace), {
      host: resolved.server.host,
      port: resolved.server.port,
      path: resolved.server.path,
      secure: resolved.server.secure,
      key: resolved.server.key,
      config: { iceServers: resolved.iceServers, iceTransportPolicy: resolved.iceTransportPolicy },
      debug: 0,
    });
    this.#peer = peer;
    try {
      await whenRegistered(peer, resolved.connectTimeout);
    } catch (error) {
      if (this.#peer === peer) {
        this.#peer = null;
        this.#user = null;
        peer.destroy();
        this.#setState('disconnected');
      }
      throw this.#report(error as CallError);
    }
    if (this.#peer !== peer) throw new CallError('invalid-state', 'disconnect() was called while connecting.');
    peer.on('connection', (channel) => this.#onIncomingChannel(channel));
    peer.on('call', (media) => this.#onIncomingMedia(media));
    peer.on('error', (error) => this.#onPeerError(peer, error));
    peer.on('disconnected', () => this.#onServerLost(peer));
    peer.on('open', () => this.#onServerBack(peer));
    addEventListener('pagehide', this.#onPageHide);
    addEventListener('pageshow', this.#onPageShow);
    this.#setState('idle');
  }

  /** Ends any call, then unregisters. Resolves once everything is closed. */
  async disconnect(): Promise<void> {
    if (this.#state === 'disconnected') return;
    if (this.#call) this.#leave();
    await this.#whenClosed();
    removeEventListener('pagehide', this.#onPageHide);
    removeEventListener('pageshow', this.#onPageShow);
    clearTimeout(this.#retryTimer);
    for (const channel of this.#handshakes) channel.close();
    this.#handshakes.clear();
    for (const offers of this.#heldOffers.values()) for (const offer of offers.values()) offer.close();
    this.#heldOffers.clear();
    const peer = this.#peer;
    this.#peer = null;
    this.#user = null;
    peer?.destroy();
    this.#setState('disconnected');
  }

  /** Rings the given users. Resolves with the call once local media is up and the rings are sent. */
  async startCall(options: StartCallOptions): Promise<Call> {
    const self = this.#requireIdle();
    const invitees = this.#invitees(options.participants, self.id);
    if (invitees.length === 0) {
      throw this.#report(new CallError('invalid-options', 'A call needs at least one other participant.'));
    }
    if (typeof options.conversationId !== 'string' || options.conversationId.length === 0 || options.conversationId.length > 128) {
      throw this.#report(new CallError('invalid-options', 'A call needs a conversation id of 1 to 128 characters.'));
    }
    const video = options.video ?? false;
    const local = new ParticipantRecord(self.id, self.name, true, 'connected');
    const record = new CallRecord(crypto.randomUUID(), options.conversationId, 'outgoing', video, self, local);
    const active = newActiveCall(record, {
      inviterId: null,
      heldOffer: null,
      otherOffers: new Map(),
      ringTimeout: this.#options!.ringTimeout,
      selfEpoch: 1,
    });
    this.#call = active;
    this.#setState('outgoing');
    this.#startSweep(active);
    try {
      await this.#startLocalMedia(active, video);
    } catch (error) {
      if (this.#call === active) this.#endCall('error');
      throw error;
    }
    if (this.#call !== active) throw new CallError('invalid-state', 'The call ended while it was starting.');
    for (const invitee of invitees) this.#invite(active, invitee);
    return record;
  }

  /** Rings more users into the current call; they join the mesh when they answer. */
  async invite(participants: StartCallOptions['participants']): Promise<void> {
    const self = this.#user;
    const active = this.#call;
    if (!self || !active?.media || (this.#state !== 'active' && this.#state !== 'outgoing')) {
      throw this.#report(new CallError('invalid-state', 'Invite others once you are in a call and your devices are on.'));
    }
    const record = active.record;
    const invitees = this.#invitees(participants, self.id).filter((user) => !record.participants.has(user.id));
    for (const invitee of invitees) this.#invite(active, invitee);
    if (invitees.length > 0) this.#broadcastRoster();
  }

  /** Answers the ringing call. With `video: false` the camera stays off until turned on. */
  async accept(options: AcceptOptions = {}): Promise<void> {
    const active = this.#call;
    if (this.#state !== 'incoming' || !active || !active.inviterId) {
      throw this.#report(new CallError('invalid-state', 'There is no ringing call to accept.'));
    }
    if (active.startingMedia) throw this.#report(new CallError('invalid-state', 'The call is already being answered.'));
    const video = options.video ?? active.record.video;
    await this.#startLocalMedia(active, video);
    if (this.#call !== active || this.#state !== 'incoming') {
      // The caller gave up meanwhile: `call-ended` already told the page, so this is no error.
      throw new CallError('invalid-state', 'The call ended before it was answered.');
    }
    clearTimeout(active.incomingTimer);
    active.record.answeredAt = Date.now();
    // Connecting starts now, not when the ring began.
    for (const participant of active.record.participants.values()) {
      if (participant.state !== 'ringing') participant.stateSince = active.record.answeredAt;
    }
    this.#setState('active');
    const inviter = this.#links.get(active.inviterId);
    inviter?.send({ type: 'accept', callId: active.record.id, user: this.#user!, media: this.#mediaState() });
    const offer = active.heldOffer;
    active.heldOffer = null;
    if (inviter && offer) this.#answerMedia(active, inviter, offer);
    else if (inviter) this.#startMedia(inviter);
    this.#joinOtherRingers(active);
    for (const participant of active.record.participants.values()) {
      if (participant.id !== active.inviterId && participant.state !== 'ringing') this.#meet(participant.id);
    }
  }

  /**
   * A member rang us into the call we are already in or being rung for: two members invited us at
   * once, or one re-invites us after our link to them failed. Either way they get a join (once we
   * are in), under the invitation they rang us with.
   */
  #onRingInCall(active: ActiveCall, userId: string, channel: DataConnection, message: Extract<ControlMessage, { type: 'ring' }>): void {
    const link = this.#linkFor(userId);
    if (!link.channels.includes(channel)) link.addChannel(channel);
    const ourEpoch = message.roster.find((entry) => entry.id === this.#user!.id)?.epoch ?? active.selfEpoch;
    active.selfEpoch = Math.max(active.selfEpoch, ourEpoch);
    const ringerEpoch = message.roster.find((entry) => entry.id === userId)?.epoch ?? 1;
    // They ring us themselves, so they are in the call, whatever we last heard (a link that failed).
    active.record.departed.delete(userId);
    if (!active.record.participants.has(userId)) {
      this.#markAnswered(active, { id: userId, name: message.from.name }, message.media, ringerEpoch);
    }
    if (this.#state === 'active') this.#joinRinger(active, link);
  }

  /**
   * Others in the call may have rung us at the same time as the inviter did: tell them we are in,
   * and answer their offers, rather than leave their rings to time out.
   */
  #joinOtherRingers(active: ActiveCall): void {
    for (const [userId, link] of this.#links) {
      if (userId !== active.inviterId && link.hasChannel) this.#joinRinger(active, link);
    }
  }

  #joinRinger(active: ActiveCall, link: PeerLink): void {
    link.send({ type: 'join', callId: active.record.id, user: this.#user!, media: this.#mediaState(), epoch: active.selfEpoch });
    const offer = active.otherOffers.get(link.userId);
    active.otherOffers.delete(link.userId);
    if (offer) this.#answerMedia(active, link, offer);
    // Their offer was refused before their ring told us who they are: offer ours instead.
    else if (!link.media) this.#startMedia(link);
  }

  /** Turns the ringing call down; the caller sees `declined`. */
  async decline(): Promise<void> {
    const active = this.#call;
    if (this.#state !== 'incoming' || !active) {
      throw this.#report(new CallError('invalid-state', 'There is no ringing call to decline.'));
    }
    this.#leave();
    await this.#whenClosed();
  }

  /**
   * Leaves the call: withdraws an unanswered outgoing ring, declines an incoming one, hangs up an
   * answered call. Resolves once the others were told and every connection is closed.
   */
  async hangUp(): Promise<void> {
    if (this.#call) this.#leave();
    await this.#whenClosed();
  }

  async setMicrophoneEnabled(enabled: boolean): Promise<void> {
    const active = this.#requireMedia();
    active.media!.setMicrophoneEnabled(enabled);
    this.#updateLocal(active);
  }

  /** Turns the camera on or off. Off releases the device; on replaces the track, with no renegotiation. */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    const active = this.#requireMedia();
    const change = this.#cameraChange.then(async () => {
      const media = active.media;
      if (this.#call !== active || !media) return;
      if (enabled) {
        let track: MediaStreamTrack;
        try {
          track = await media.startCamera();
        } catch (error) {
          throw this.#report(error as CallError);
        }
        this.#replaceVideo(track);
      } else {
        media.stopCamera();
        this.#replaceVideo(null);
      }
      this.#updateLocal(active);
    });
    this.#cameraChange = change.catch(() => undefined);
    return change;
  }

  // ---- state machines ----

  #setState(next: CallState): void {
    const previous = this.#state;
    if (previous === next) return;
    if (!TRANSITIONS[previous].includes(next)) {
      throw new Error(`meshcall: no transition from ${previous} to ${next}`);
    }
    this.#state = next;
    this.dispatchEvent(new CallStateChangeEvent(next, previous));
  }

  #setParticipantState(participant: ParticipantRecord, next: ParticipantState): boolean {
    if (participant.state === next || !PARTICIPANT_TRANSITIONS[participant.state].includes(next)) return false;
    participant.state = next;
    participant.stateSince = Date.now();
    return true;
  }

  // ---- guards ----

  #requireIdle(): UserInfo {
    if (this.#state === 'disconnected' || this.#state === 'connecting' || !this.#user) {
      throw this.#report(new CallError('not-connected', 'Connect before calling.'));
    }
    if (this.#state !== 'idle') throw this.#report(new CallError('invalid-state', 'Already in a call.'));
    return this.#user;
  }

  #requireMedia(): ActiveCall {
    const active = this.#call;
    if (!active?.media || (this.#state !== 'active' && this.#state !== 'outgoing')) {
      throw this.#report(new CallError('invalid-state', 'The microphone and camera can be changed during a call.'));
    }
    return active;
  }

  #invitees(participants: StartCallOptions['participants'], selfId: string): UserInfo[] {
    try {
      return normaliseParticipants(participants, selfId);
    } catch (error) {
      throw this.#report(error as CallError);
    }
  }

  #report(error: CallError): CallError {
    this.dispatchEvent(new CallErrorEvent(error));
    return error;
  }

  // ---- local media ----

  async #startLocalMedia(active: ActiveCall, video: boolean): Promise<void> {
    const media = new LocalMedia(this.#options!.media);
    let cameraError: CallError | null;
    active.startingMedia = true;
    try {
      ({ cameraError } = await media.start(video));
    } catch (error) {
      media.stop();
      throw this.#report(error as CallError);
    } finally {
      active.startingMedia = false;
    }
    if (this.#call !== active) {
      media.stop();
      return;
    }
    active.media = media;
    this.#updateLocal(active, false);
    if (cameraError) this.#report(cameraError);
  }

  #mediaState(): MediaState {
    const media = this.#call?.media;
    return { microphone: media?.microphoneEnabled ?? false, camera: media?.cameraEnabled ?? false };
  }

  /** Refreshes the local participant from the devices and tells the others when asked to. */
  #updateLocal(active: ActiveCall, broadcast = true): void {
    const local = active.record.local;
    const media = active.media;
    local.microphoneEnabled = media?.microphoneEnabled ?? false;
    local.cameraEnabled = media?.cameraEnabled ?? false;
    local.stream = media?.stream ?? null;
    this.dispatchEvent(new CallParticipantChangeEvent(active.record, local));
    if (broadcast) {
      const message: ControlMessage = { type: 'media', callId: active.record.id, media: this.#mediaState() };
      for (const link of this.#links.values()) link.send(message);
    }
  }

  #replaceVideo(track: MediaStreamTrack | null): void {
    for (const link of this.#links.values()) {
      const connection = link.media?.peerConnection;
      if (!connection) continue;
      for (const transceiver of connection.getTransceivers()) {
        if (transceiver.receiver.track.kind === 'video' && transceiver.currentDirection !== 'stopped') {
          transceiver.sender.replaceTrack(track).catch((error: unknown) => {
            if (link.closing) return;
            this.#report(new CallError('connection-failed', `The camera could not be switched for ${link.userId}.`, { userId: link.userId, cause: error }));
          });
        }
      }
    }
  }

  // ---- participants ----

  #addParticipant(active: ActiveCall, user: UserInfo, state: ParticipantState, epoch: number): ParticipantRecord {
    const participant = new ParticipantRecord(user.id, user.name, false, state);
    participant.epoch = epoch;
    active.record.participants.set(user.id, participant);
    if (state === 'ringing') this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
    else this.dispatchEvent(new CallParticipantJoinedEvent(active.record, participant));
    return participant;
  }

  /** A participant answered (by message, or by their media arriving first). */
  #markAnswered(active: ActiveCall, user: UserInfo, media?: MediaState, epoch = 1): ParticipantRecord {
    let participant = active.record.participants.get(user.id);
    if (!participant) {
      participant = this.#addParticipant(active, user, 'connecting', epoch);
    } else if (participant.state === 'ringing') {
      this.#setParticipantState(participant, 'connecting');
      // Their media may have connected before their accept arrived.
      if (this.#links.get(user.id)?.media?.peerConnection?.connectionState === 'connected') {
        this.#setParticipantState(participant, 'connected');
      }
      participant.name = user.name;
      clearTimeout(active.ringTimers.get(user.id));
      active.ringTimers.delete(user.id);
      this.dispatchEvent(new CallParticipantJoinedEvent(active.record, participant));
    } else {
      participant.name = user.name;
    }
    participant.epoch = Math.max(participant.epoch, epoch);
    if (media) {
      participant.microphoneEnabled = media.microphone;
      participant.cameraEnabled = media.camera;
      this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
    }
    if (this.#state === 'outgoing') {
      active.record.answeredAt = Date.now();
      this.#setState('active');
    }
    return participant;
  }

  /** `drain`: we just sent them a goodbye, so their channel closes only once they have it. */
  #removeParticipant(active: ActiveCall, userId: string, reason: LeaveReason, drain = false): void {
    const record = active.record;
    const epoch = this.#epochOf(record, userId);
    if (epoch > 0) record.departed.set(userId, epoch);
    clearTimeout(active.ringTimers.get(userId));
    active.ringTimers.delete(userId);
    dropOffer(active.otherOffers, userId);
    const link = this.#links.get(userId);
    this.#links.delete(userId);
    if (link) this.#retire([link], drain);
    const participant = record.participants.get(userId);
    if (!participant) return;
    record.participants.delete(userId);
    this.#setParticipantState(participant, 'left');
    participant.stream = null;
    this.dispatchEvent(new CallParticipantLeftEvent(record, participant, reason));
    if (this.#call !== active) return;
    if (record.participants.size === 0) {
      this.#endCall(endReasonFor(this.#state, reason));
    } else if (this.#state === 'incoming' && userId === active.inviterId) {
      // Only the inviter can let us in: without it, the ring is over.
      this.#endCall('missed');
    } else {
      this.#broadcastRoster();
    }
  }

  #hasLiveLink(userId: string): boolean {
    const link = this.#links.get(userId);
    if (!link) return false;
    return link.channels.some((channel) => channel.open) || link.media?.peerConnection?.connectionState === 'connected';
  }

  #startSweep(active: ActiveCall): void {
    active.sweepTimer = setInterval(() => this.#sweep(active), SWEEP_INTERVAL_MS);
  }

  /**
   * Gives up on participants stuck half-way: rung by someone else who vanished before their ring
   * ended, or answered but never connected to us (a failed dial, an outage of the server).
   */
  #sweep(active: ActiveCall): void {
    const now = Date.now();
    for (const participant of [...active.record.participants.values()]) {
      if (this.#call !== active) return;
      const waited = now - participant.stateSince;
      const ringTimeout = participant.ringTimeout ?? active.ringTimeout;
      if (participant.state === 'ringing' && !active.ringTimers.has(participant.id) && waited > ringTimeout + RING_FALLBACK_MS) {
        this.#removeParticipant(active, participant.id, 'no-answer');
      } else if (participant.state === 'connecting' && this.#state === 'active' && waited > CONNECT_TIMEOUT_MS) {
        this.#report(new CallError('connection-failed', `Could not connect to ${participant.id}.`, { userId: participant.id }));
        this.#removeParticipant(active, participant.id, 'connection-lost');
      }
    }
  }

  // ---- ringing ----

  #invite(active: ActiveCall, user: UserInfo): void {
    const record = active.record;
    // Someone who left comes back under a new invitation, which outranks the news of their leaving.
    const epoch = (record.departed.get(user.id) ?? 0) + 1;
    record.departed.delete(user.id);
    this.#addParticipant(active, user, 'ringing', epoch);
    const link = this.#dial(user.id);
    link.send({
      type: 'ring',
      callId: record.id,
      conversationId: record.conversationId,
      video: record.video,
      from: this.#user!,
      media: this.#mediaState(),
      roster: this.#roster(),
      timeout: this.#options!.ringTimeout,
    });
    // The offer goes out with the ring, so that answering costs the callee only its answer.
    this.#startMedia(link);
    active.ringTimers.set(
      user.id,
      setTimeout(() => {
        if (this.#call !== active || record.participants.get(user.id)?.state !== 'ringing') return;
        this.#links.get(user.id)?.send({ type: 'cancel', callId: record.id });
        this.#removeParticipant(active, user.id, 'no-answer', true);
      }, this.#options!.ringTimeout),
    );
  }

  #onRing(userId: string, channel: DataConnection, message: Extract<ControlMessage, { type: 'ring' }>): void {
    const current = this.#call;
    if (current?.record.id === message.callId) {
      if (message.from.id === userId && userId !== current.inviterId) this.#onRingInCall(current, userId, channel, message);
      return;
    }
    if (this.#state !== 'idle' || message.from.id !== userId) {
      const offers = this.#takeHeldOffers(message.callId);
      dropOffer(offers, userId);
      if (offers.size > 0) this.#heldOffers.set(message.callId, offers);
      channel.send(toWire({ type: 'decline', callId: message.callId, busy: true }));
      // The caller closes the channel on receipt; this only bounds how long a silent one stays.
      setTimeout(() => channel.close(), DRAIN_TIMEOUT_MS);
      return;
    }
    const self = this.#user!;
    const local = new ParticipantRecord(self.id, self.name, true, 'connected');
    const record = new CallRecord(message.callId, message.conversationId, 'incoming', message.video, message.from, local);
    const otherOffers = this.#takeHeldOffers(message.callId);
    const heldOffer = otherOffers.get(userId) ?? null;
    otherOffers.delete(userId);
    const active = newActiveCall(record, {
      inviterId: userId,
      heldOffer,
      otherOffers,
      ringTimeout: message.timeout,
      selfEpoch: message.roster.find((entry) => entry.id === self.id)?.epoch ?? 1,
    });
    this.#call = active;
    this.#linkFor(userId).addChannel(channel);
    const caller = new ParticipantRecord(userId, message.from.name, false, 'connecting');
    caller.epoch = message.roster.find((entry) => entry.id === userId)?.epoch ?? 1;
    caller.microphoneEnabled = message.media.microphone;
    caller.cameraEnabled = message.media.camera;
    record.participants.set(userId, caller);
    this.#setState('incoming');
    this.#startSweep(active);
    this.#mergeRoster(active, message.roster);
    if (this.#call !== active) return;
    active.incomingTimer = setTimeout(() => {
      if (this.#call === active && this.#state === 'incoming') this.#endCall('missed');
    }, message.timeout + RING_FALLBACK_MS);
    this.dispatchEvent(new CallIncomingEvent(record));
  }

  // ---- the mesh ----

  #linkFor(userId: string): PeerLink {
    let link = this.#links.get(userId);
    if (!link) {
      link = new PeerLink(userId, peerIdForUser(userId, this.#options!.namespace));
      this.#links.set(userId, link);
    }
    return link;
  }

  /** Opens a control channel to a user. */
  #dial(userId: string): PeerLink {
    const link = this.#linkFor(userId);
    const channel = this.#peer!.connect(link.peerId, {
      serialization: 'json',
      reliable: true,
      metadata: { callId: this.#call!.record.id },
    });
    if (channel) {
      this.#watchChannel(userId, channel);
      link.addChannel(channel);
    }
    return link;
  }

  /**
   * Connects to a participant who answered, when the rule says we are the side that dials: in every
   * pair of participants who did not meet through a ring, the one with the smaller peer id dials.
   * Both learn of each other through the rosters, so exactly one of them dials.
   */
  #meet(userId: string): void {
    const active = this.#call;
    if (!active || this.#state !== 'active' || this.#links.has(userId)) return;
    const options = this.#options!;
    if (peerIdForUser(this.#user!.id, options.namespace) > peerIdForUser(userId, options.namespace)) return;
    const link = this.#dial(userId);
    link.send({ type: 'join', callId: active.record.id, user: this.#user!, media: this.#mediaState(), epoch: active.selfEpoch });
    link.send({ type: 'roster', callId: active.record.id, roster: this.#roster() });
    this.#startMedia(link);
  }

  #roster(): RosterEntry[] {
    const active = this.#call!;
    const record = active.record;
    const entries: RosterEntry[] = [{ id: this.#user!.id, name: this.#user!.name, state: 'joined', epoch: active.selfEpoch }];
    for (const participant of record.participants.values()) {
      if (participant.state !== 'ringing') {
        entries.push({ id: participant.id, name: participant.name, state: 'joined', epoch: participant.epoch });
        continue;
      }
      const timeout = active.ringTimers.has(participant.id) ? this.#options!.ringTimeout : participant.ringTimeout;
      const entry: RosterEntry = { id: participant.id, name: participant.name, state: 'ringing', epoch: participant.epoch };
      if (timeout !== null) entry.timeout = timeout;
      entries.push(entry);
    }
    for (const [id, epoch] of record.departed) entries.push({ id, name: id, state: 'left', epoch });
    return entries;
  }

  #broadcastRoster(): void {
    const active = this.#call;
    if (!active || this.#state === 'incoming') return;
    const message: ControlMessage = { type: 'roster', callId: active.record.id, roster: this.#roster() };
    for (const link of this.#links.values()) link.send(message);
  }

  /** Folds another participant's view of the call into ours; tells the others when ours changed. */
  #mergeRoster(active: ActiveCall, roster: RosterEntry[]): void {
    const record = active.record;
    const self = this.#user!.id;
    let changed = false;
    for (const entry of roster) {
      if (entry.id === self) continue;
      const known = this.#epochOf(record, entry.id);
      if (entry.epoch < known) continue;
      if (entry.epoch > known && record.departed.delete(entry.id)) changed = true;
      const participant = record.participants.get(entry.id);
      if (participant && entry.epoch > participant.epoch) participant.epoch = entry.epoch;
      if (entry.state === 'left') {
        // Our own connection to them says more than someone else's: theirs may be all that failed.
        if (this.#hasLiveLink(entry.id)) continue;
        if (participant) {
          this.#removeParticipant(active, entry.id, 'hangup');
          if (this.#call !== active) return;
          changed = true;
        } else if (!record.departed.has(entry.id)) {
          record.departed.set(entry.id, entry.epoch);
          changed = true;
        }
        continue;
      }
      if (record.departed.has(entry.id)) continue;
      if (!participant) {
        const added = this.#addParticipant(active, entry, entry.state === 'joined' ? 'connecting' : 'ringing', entry.epoch);
        added.ringTimeout = entry.timeout ?? null;
        changed = true;
      } else if (entry.state === 'joined' && participant.state === 'ringing' && !active.ringTimers.has(entry.id)) {
        // Someone else's invitee answered them; our own invitees tell us themselves.
        this.#markAnswered(active, entry);
        changed = true;
      }
      if (entry.state === 'joined') this.#meet(entry.id);
    }
    if (changed) this.#broadcastRoster();
  }

  /** The latest invitation of a user to this call that we know of; 0 for none. */
  #epochOf(record: CallRecord, userId: string): number {
    return record.participants.get(userId)?.epoch ?? record.departed.get(userId) ?? 0;
  }

  /** Whether a join or media of this invitation may enter: not for an invitation that already left. */
  #admits(record: CallRecord, userId: string, epoch: number): boolean {
    const left = record.departed.get(userId);
    if (left !== undefined && left >= epoch) return false;
    record.departed.delete(userId);
    return true;
  }


  #onIncomingChannel(channel: DataConnection): void {
    const userId = userForPeerId(channel.peer, this.#options!.namespace);
    if (!userId || userId === this.#user?.id) {
      channel.close();
      return;
    }
    this.#watchChannel(userId, channel);
    const callId = (channel.metadata as { callId?: unknown } | undefined)?.callId;
    const active = this.#call;
    if (active && callId === active.record.id) {
      const link = this.#linkFor(userId);
      link.addChannel(channel);
      link.send({ type: 'media', callId: active.record.id, media: this.#mediaState() });
      link.send({ type: 'roster', callId: active.record.id, roster: this.#roster() });
      return;
    }
    this.#handshakes.add(channel);
    setTimeout(() => {
      if (this.#handshakes.delete(channel)) channel.close();
    }, HANDSHAKE_TIMEOUT_MS);
  }

  #watchChannel(userId: string, channel: DataConnection): void {
    let reportedMalformed = false;
    channel.on('data', (data) => {
      const message = parseControlMessage(data);
      if (!message) {
        if (!reportedMalformed) {
          reportedMalformed = true;
          this.#report(new CallError('protocol-error', `Ignored a malformed control message from ${userId}.`, { userId }));
        }
        return;
      }
      this.#onMessage(userId, channel, message);
    });
    channel.on('close', () => this.#onChannelClosed(userId, channel));
    channel.on('error', () => undefined);
  }

  #onMessage(userId: string, channel: DataConnection, message: ControlMessage): void {
    if (message.type === 'ring') {
      // A ring into our current call may come on a channel already tied to it (a member re-inviting us).
      const forCurrentCall = this.#call?.record.id === message.callId;
      if (this.#handshakes.delete(channel) || forCurrentCall) this.#onRing(userId, channel, message);
      return;
    }
    const active = this.#call;
    if (!active || message.callId !== active.record.id) {
      // A goodbye for a call we already left still gets its channel closed, which the sender awaits.
      if (message.type === 'hangup' || message.type === 'cancel' || message.type === 'decline') channel.close();
      return;
    }
    if (this.#handshakes.delete(channel)) this.#linkFor(userId).addChannel(channel);
    switch (message.type) {
      case 'accept':
        // Their media may have arrived first and marked them answered; the names and devices still count.
        if (active.record.participants.has(userId)) {
          this.#markAnswered(active, { id: userId, name: message.user.name }, message.media);
          this.#broadcastRoster();
        }
        break;
      case 'join':
        if ((this.#state === 'active' || this.#state === 'outgoing') && this.#admits(active.record, userId, message.epoch)) {
          this.#markAnswered(active, { id: userId, name: message.user.name }, message.media, message.epoch);
          this.#broadcastRoster();
        }
        break;
      case 'decline':
        if (active.record.participants.get(userId)?.state === 'ringing') {
          this.#removeParticipant(active, userId, message.busy ? 'busy' : 'declined');
        }
        break;
      case 'cancel':
        if (userId !== active.inviterId) {
          // Another member's ring ended; the inviter's goes on.
          dropOffer(active.otherOffers, userId);
          const link = this.#links.get(userId);
          if (link && this.#state === 'incoming') {
            this.#links.delete(userId);
            this.#retire([link], false);
          }
          break;
        }
        if (this.#state === 'incoming') this.#endCall('missed');
        // Our accept crossed their cancel: they have left, we stay with whoever else is here.
        else this.#removeParticipant(active, userId, 'cancelled');
        break;
      case 'hangup':
        if (active.record.participants.has(userId)) this.#removeParticipant(active, userId, 'hangup');
        break;
      case 'roster':
        this.#mergeRoster(active, message.roster);
        break;
      case 'media': {
        const participant = active.record.participants.get(userId);
        if (participant) {
          participant.microphoneEnabled = message.media.microphone;
          participant.cameraEnabled = message.media.camera;
          this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
        }
        break;
      }
    }
  }

  #onChannelClosed(userId: string, channel: DataConnection): void {
    this.#handshakes.delete(channel);
    const link = this.#links.get(userId);
    if (!link || link.closing || !link.channels.includes(channel)) return;
    link.removeChannel(channel);
    if (link.hasChannel) return;
    const active = this.#call;
    if (!active?.record.participants.has(userId)) return;
    this.#report(new CallError('connection-failed', `The connection with ${userId} was lost.`, { userId }));
    this.#removeParticipant(active, userId, 'connection-lost');
  }

  // ---- media connections ----

  #startMedia(link: PeerLink): void {
    const active = this.#call!;
    const { stream, placeholder } = active.media!.connectionStream();
    const media = this.#peer!.call(link.peerId, stream, { metadata: { callId: active.record.id, epoch: active.selfEpoch } });
    if (!media) {
      // Not registered right now; the sweep gives up on the participant if this never recovers.
      placeholder?.stop();
      return;
    }
    this.#attachMedia(link, media, placeholder);
  }

  #onIncomingMedia(media: MediaConnection): void {
    const userId = userForPeerId(media.peer, this.#options!.namespace);
    const active = this.#call;
    const metadata = media.metadata as { callId?: unknown; epoch?: unknown } | undefined;
    const callId = metadata?.callId;
    if (!userId || typeof callId !== 'string' || !isEpoch(metadata?.epoch)) {
      media.close();
      return;
    }
    if (active && callId === active.record.id && this.#admits(active.record, userId, metadata.epoch)) {
      if (this.#state === 'incoming') {
        const previous = userId === active.inviterId ? active.heldOffer : active.otherOffers.get(userId);
        previous?.close();
        if (userId === active.inviterId) active.heldOffer = media;
        else active.otherOffers.set(userId, media);
        return;
      }
      if ((this.#state === 'active' || this.#state === 'outgoing') && active.media) {
        this.#answerMedia(active, this.#linkFor(userId), media);
        return;
      }
    }
    if (this.#state === 'idle') {
      // The offer travels through the server and usually beats the ring, which waits for its channel.
      const offers = this.#heldOffers.get(callId) ?? new Map<string, MediaConnection>();
      this.#heldOffers.set(callId, offers);
      offers.get(userId)?.close();
      offers.set(userId, media);
      setTimeout(() => {
        if (this.#heldOffers.get(callId)?.get(userId) !== media) return;
        offers.delete(userId);
        if (offers.size === 0) this.#heldOffers.delete(callId);
        media.close();
      }, HANDSHAKE_TIMEOUT_MS);
      return;
    }
    media.close();
  }

  /** All offers held for a call, now that its ring arrived (or was refused). */
  #takeHeldOffers(callId: string): Map<string, MediaConnection> {
    const offers = this.#heldOffers.get(callId) ?? new Map<string, MediaConnection>();
    this.#heldOffers.delete(callId);
    return offers;
  }

  #answerMedia(active: ActiveCall, link: PeerLink, media: MediaConnection): void {
    const participant = active.record.participants.get(link.userId);
    const epoch = (media.metadata as { epoch: number }).epoch;
    this.#markAnswered(active, { id: link.userId, name: participant?.name ?? link.userId }, undefined, epoch);
    const { stream, placeholder } = active.media!.connectionStream();
    media.answer(stream);
    this.#attachMedia(link, media, placeholder);
  }

  #attachMedia(link: PeerLink, media: MediaConnection, placeholder: MediaStreamTrack | null): void {
    const previous = link.media;
    link.media = media;
    previous?.close();
    const connection = media.peerConnection;
    if (placeholder) releasePlaceholder(connection, placeholder);
    const participantOf = () => {
      const active = this.#call;
      const participant = active?.record.participants.get(link.userId);
      return active && participant && link.media === media && !link.closing ? { active, participant } : null;
    };
    media.on('stream', (stream) => {
      const found = participantOf();
      if (!found) return;
      found.participant.stream = stream;
      this.dispatchEvent(new CallParticipantChangeEvent(found.active.record, found.participant));
    });
    connection.addEventListener('connectionstatechange', () => {
      const found = participantOf();
      if (!found) return;
      const { active, participant } = found;
      switch (connection.connectionState) {
        case 'connected':
          link.cancelLossWatch();
          if (this.#setParticipantState(participant, 'connected')) {
            this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
          }
          break;
        case 'disconnected':
          if (this.#setParticipantState(participant, 'connecting')) {
            this.dispatchEvent(new CallParticipantChangeEvent(active.record, participant));
          }
          link.watchForLoss(RECONNECT_GRACE_MS, () => this.#onMediaLost(link, media));
          break;
        case 'failed':
          this.#onMediaLost(link, media);
          break;
      }
    });
    media.on('close', () => this.#onMediaLost(link, media));
    media.on('error', () => undefined);
  }

  #onMediaLost(link: PeerLink, media: MediaConnection): void {
    if (link.closing || link.media !== media) return;
    link.cancelLossWatch();
    // A goodbye may still be on its way over the control channel: give it the time it needs.
    if (link.channels.some((channel) => channel.open)) {
      link.watchForLoss(DRAIN_TIMEOUT_MS, () => this.#declareLost(link, media));
    } else {
      this.#declareLost(link, media);
    }
  }

  #declareLost(link: PeerLink, media: MediaConnection): void {
    const active = this.#call;
    if (!active || link.closing || link.media !== media || !active.record.participants.has(link.userId)) return;
    this.#report(new CallError('connection-failed', `The connection with ${link.userId} was lost.`, { userId: link.userId }));
    this.#removeParticipant(active, link.userId, 'connection-lost');
  }

  // ---- signalling server ----

  #onPeerError(peer: Peer, error: PeerError<string>): void {
    if (peer !== this.#peer) return;
    switch (error.type) {
      case 'peer-unavailable': {
        const peerId = /peer (\S+)$/.exec(error.message)?.[1];
        const userId = peerId ? userForPeerId(peerId, this.#options!.namespace) : null;
        const active = this.#call;
        if (userId && active?.record.participants.has(userId)) {
          this.#report(new CallError('peer-unavailable', `${userId} is not reachable right now.`, { userId }));
          this.#removeParticipant(active, userId, 'unavailable');
        }
        break;
      }
      case 'unavailable-id':
        // The server may not have dropped our previous socket yet (a page back from the cache, a
        // network blip): the retry scheduled on 'disconnected' gets a few chances first.
        if (this.#idTakenRetries++ < ID_TAKEN_RETRIES) break;
        this.#report(new CallError('identity-in-use', 'This user is connected elsewhere.'));
        void this.disconnect();
        break;
      case 'network':
      case 'socket-error':
      case 'socket-closed':
      case 'server-error':
      case 'disconnected':
        // Once per outage: every failed retry raises this again.
        if (this.#serverUnreachable) break;
        this.#serverUnreachable = true;
        this.#report(new CallError('server-unreachable', 'The signalling server cannot be reached.', { cause: error }));
        break;
      default:
        this.#report(new CallError('connection-failed', error.message, { cause: error }));
    }
  }

  /** Calls in progress go on peer to peer; registration is retried with a growing delay. */
  #onServerLost(peer: Peer): void {
    if (peer !== this.#peer || peer.destroyed) return;
    if (this.#state === 'idle') this.#setState('connecting');
    clearTimeout(this.#retryTimer);
    if (this.#suspended) return;
    this.#retryTimer = setTimeout(() => {
      if (peer === this.#peer && peer.disconnected && !peer.destroyed) peer.reconnect();
    }, this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, SERVER_RETRY_MAX_MS);
  }

  #onServerBack(peer: Peer): void {
    if (peer !== this.#peer) return;
    this.#retryDelay = 1000;
    this.#idTakenRetries = 0;
    this.#serverUnreachable = false;
    if (this.#state === 'connecting') this.#setState('idle');
  }

  /**
   * Leaving the page ends the call. A page kept in the back/forward cache would also keep our
   * registration, and a new page for the same user would be refused as `identity-in-use`: release it
   * now and register again if the page is shown again.
   */
  #onPageHide = (): void => {
    if (this.#call) this.#leave();
    this.#suspended = true;
    clearTimeout(this.#retryTimer);
    const peer = this.#peer;
    if (peer && !peer.disconnected) peer.disconnect();
  };

  #onPageShow = (event: PageTransitionEvent): void => {
    if (!event.persisted || !this.#suspended) return;
    this.#suspended = false;
    const peer = this.#peer;
    if (peer && peer.disconnected && !peer.destroyed) peer.reconnect();
  };

  // ---- ending ----

  /** Leaves the current call, telling the others in the way that fits its state. */
  #leave(): void {
    const active = this.#call!;
    const record = active.record;
    switch (this.#state) {
      case 'incoming':
        // The inviter, and anyone else who rang us into this call.
        for (const link of this.#links.values()) {
          if (link.hasChannel) link.send({ type: 'decline', callId: record.id, busy: false });
        }
        this.#endCall('declined', true);
        break;
      case 'outgoing':
        for (const link of this.#links.values()) link.send({ type: 'cancel', callId: record.id });
        this.#endCall('cancelled', true);
        break;
      default: {
        // Our own unanswered invitees hear it from us; the rest learn from the roster that they left.
        for (const invitee of active.ringTimers.keys()) {
          this.#links.get(invitee)?.send({ type: 'cancel', callId: record.id });
          record.departed.set(invitee, this.#epochOf(record, invitee));
          record.participants.delete(invitee);
        }
        this.#broadcastRoster();
        for (const link of this.#links.values()) link.send({ type: 'hangup', callId: record.id });
        this.#endCall('hangup', true);
      }
    }
  }

  /**
   * Ends the call locally: media stops at once. With `drain`, we have just said goodbye, and the
   * control channels stay open until the others have it (they close on receipt) or a timeout.
   */
  #endCall(reason: CallEndReason, drain = false): void {
    const active = this.#call;
    if (!active) return;
    this.#call = null;
    clearTimeout(active.incomingTimer);
    for (const timer of active.ringTimers.values()) clearTimeout(timer);
    clearInterval(active.sweepTimer);
    active.heldOffer?.close();
    for (const offer of active.otherOffers.values()) offer.close();
    active.media?.stop();
    const record = active.record;
    record.local.stream = null;
    for (const participant of record.participants.values()) {
      this.#setParticipantState(participant, 'left');
      participant.stream = null;
    }
    const links = [...this.#links.values()];
    this.#links.clear();
    this.#setState('ending');
    this.dispatchEvent(new CallEndedEvent(record, reason));
    const closed = this.#retire(links, drain);
    const settle = () => {
      if (this.#state === 'ending' && this.#call === null) {
        this.#setState(this.#peer?.open ? 'idle' : this.#peer ? 'connecting' : 'disconnected');
      }
    };
    if (closed) void closed.then(settle);
    else settle();
  }

  /**
   * Closes links, after draining their control channels when asked. Returns the pending close, or
   * null when everything closed synchronously. While draining, the media connections stay open
   * (with the local tracks already stopped): PeerJS tells the other side about a closed media
   * connection over its own channel, which could overtake our goodbye and read as a lost connection.
   */
  #retire(links: PeerLink[], drain: boolean): Promise<void> | null {
    for (const link of links) link.closing = true;
    if (!drain) {
      for (const link of links) link.close();
      return null;
    }
    return this.#track(Promise.all(links.map((link) => link.drain(DRAIN_TIMEOUT_MS))).then(() => links.forEach((link) => link.close())));
  }

  #track(closing: Promise<void>): Promise<void> {
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
    return closing;
  }

  async #whenClosed(): Promise<void> {
    while (this.#closing.size > 0) await Promise.all(this.#closing);
  }
}

function resolveOptions(options: ConnectOptions): ResolvedOptions {
  const invalid = (message: string) => new CallError('invalid-options', message);
  const id = options?.user?.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw invalid('user.id must be a string of 1 to 128 characters.');
  const server = options.server;
  if (!server || typeof server.host !== 'string' || !server.host || !Number.isInteger(server.port)) {
    throw invalid('server.host and server.port are required: meshcall never falls back to a public signalling server.');
  }
  const namespace = options.namespace ?? 'meshcall';
  if (!isValidNamespace(namespace)) throw invalid('namespace must be letters and digits.');
  return {
    server: { host: server.host, port: server.port, path: server.path ?? '/', secure: server.secure ?? false, key: server.key ?? 'peerjs' },
    iceServers: options.iceServers ?? [],
    iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    namespace,
    ringTimeout: options.ringTimeout ?? 30000,
    connectTimeout: options.connectTimeout ?? 10000,
    media: {
      audio: options.media?.audio ?? DEFAULT_MEDIA_CONSTRAINTS.audio,
      video: options.media?.video ?? DEFAULT_MEDIA_CONSTRAINTS.video,
    },
  };
}

function whenRegistered(peer: Peer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: CallError) => {
      clearTimeout(timer);
      peer.off('open', onOpen);
      peer.off('error', onError);
      peer.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onOpen = () => settle();
    const onError = (error: PeerError<string>) =>
      settle(
        error.type === 'unavailable-id'
          ? new CallError('identity-in-use', 'This user is already connected in another tab or device.', { cause: error })
          : new CallError('server-unreachable', 'The signalling server cannot be reached.', { cause: error }),
      );
    const onClose = () => settle(new CallError('invalid-state', 'disconnect() was called while connecting.'));
    const timer = setTimeout(() => settle(new CallError('server-unreachable', 'The signalling server did not answer in time.')), timeoutMs);
    peer.on('open', onOpen);
    peer.on('error', onError);
    peer.on('close', onClose);
  });
}

function normaliseParticipants(participants: StartCallOptions['participants'], selfId: string): UserInfo[] {
  const seen = new Map<string, UserInfo>();
  for (const entry of participants ?? []) {
    const user = typeof entry === 'string' ? { id: entry, name: entry } : { id: entry?.id, name: entry?.name || entry?.id };
    if (typeof user.id !== 'string' || user.id.length === 0 || user.id.length > 128) {
      throw new CallError('invalid-options', 'Participant ids must be strings of 1 to 128 characters.');
    }
    if (user.id !== selfId && !seen.has(user.id)) seen.set(user.id, user as UserInfo);
  }
  return [...seen.values()];
}

function dropOffer(offers: Map<string, MediaConnection>, userId: string): void {
  offers.get(userId)?.close();
  offers.delete(userId);
}

function endReasonFor(state: CallState, lastLeave: LeaveReason): CallEndReason {
  if (state === 'incoming') return 'missed';
  if (state === 'outgoing') {
    return lastLeave === 'hangup' || lastLeave === 'connection-lost' ? 'cancelled' : (lastLeave as CallEndReason);
  }
  if (lastLeave === 'connection-lost' || lastLeave === 'cancelled') return lastLeave;
  return 'remote-hangup';
}


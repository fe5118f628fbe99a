import { parseMessageText, toWire, type PeerMessage, type SignalMessage } from '../protocol.js';
import { PEER_RATE_LIMIT, TokenBucket } from '../rate-limit.js';
import type { ScreenEncoding, VideoEncoding } from './send-ladder.js';
import { randomId } from '../random-id.js';

export interface PeerLinkHandlers {
  /** Sends a message through the signalling server; false when that is not possible right now. */
  relay(message: object): boolean;
  /** A well-formed message other than a signal arrived over the data channel. */
  onMessage(message: Exclude<PeerMessage, SignalMessage>): void;
  /** Something unreadable arrived over the data channel, or more than the rate limit lets through. */
  onMalformed(): void;
  /** The remote audio and video changed (a track arrived, or the connection was replaced). */
  onRemoteStream(stream: MediaStream): void;
  /** The remote side's shared screen, as a stream of its own; null once they stop sharing. */
  onRemoteScreen(stream: MediaStream | null): void;
  onConnectionState(state: RTCPeerConnectionState): void;
  /** The data channel opened (on a first or a fresh connection). */
  onChannelOpen(): void;
  /** The data channel closed while the link was not being closed by us. */
  onChannelClosed(): void;
  /** The remote side started a new connection, which replaced ours. */
  onReplaced(): void;
  onNegotiationError(error: unknown): void;
}

export interface PeerLinkOptions {
  userId: string;
  callId: string;
  /** Perfect negotiation: on colliding offers the polite side gives way. Exactly one side of a pair is polite. */
  polite: boolean;
  rtcConfig: RTCConfiguration;
  /** Hold incoming signals (do not connect) until {@link PeerLink.release}. */
  held?: boolean;
  handlers: PeerLinkHandlers;
}

/** Bounds on what a link keeps for later, whatever a peer sends. */
const MAX_PENDING_CANDIDATES = 64;
const MAX_HELD_SIGNALS = 128;
const MAX_QUEUED_MESSAGES = 64;

/**
 * Everything between the local user and one remote participant: one RTCPeerConnection carrying the
 * audio, the video and a negotiated data channel for control messages. Negotiation follows the
 * "perfect negotiation" pattern, so that either side may add media or restart ICE at any time;
 * its signals travel over the data channel while it works and through the signalling server
 * otherwise. Media tracks change by `replaceTrack`, with no renegotiation: every connection has an
 * audio and a video transceiver from the start, whether or not a device is on, and a second video
 * transceiver for a shared screen. Sharing then needs no renegotiation either, for a connection
 * made before or after the share started: Chromium stops rendering the remote camera after a
 * polite side rolls back a crossing renegotiation (its frames are still decoded), so two people
 * sharing at once must not renegotiate. While we share, the screen's mid is announced over the data
 * channel (`screen-track`): the far side tells the screen from the camera by m-line, not by track or
 * stream ids.
 */
export class PeerLink {
  /** Names this side's current connection in signals. */
  #id = randomId(16);
  /** The remote side's connection id, once we have heard from it. */
  #remoteId: string | null = null;
  #pc!: RTCPeerConnection;
  #channel!: RTCDataChannel;
  #audio: RTCRtpTransceiver | null = null;
  #video: RTCRtpTransceiver | null = null;
  #localAudio: MediaStreamTrack | null = null;
  #localVideo: MediaStreamTrack | null = null;
  #videoEncoding: (VideoEncoding & { active?: boolean }) | null = null;
  /** The m-line for either side's screen: each sends its own on it, and names it while it does. */
  #screen: RTCRtpTransceiver | null = null;
  #localScreen: MediaStreamTrack | null = null;
  #screenEncoding: ScreenEncoding | null = null;
  /** What the far side was last told of our screen's mid on this connection. */
  #announcedScreenMid: string | null = null;
  /** Which of their m-lines carries their screen, as they told us. */
  #remoteScreenMid: string | null = null;
  #remoteScreen: MediaStream | null = null;
  #remoteTracks = new Map<string, MediaStreamTrack>();
  /**
   * The answering side makes no offer before it has answered the first one: its data channel alone
   * would ask for negotiation and collide with the offer on its way.
   */
  #mayOffer = false;
  /**
   * The browser asked for a negotiation before we could offer. It does not ask again while that
   * request stands, so {@link connect} makes the offer itself.
   */
  #offerWanted = false;
  #makingOffer = false;
  #ignoreOffer = false;
  #pendingCandidates: RTCIceCandidateInit[] = [];
  #held: SignalMessage[] | null;
  #signals: Promise<void> = Promise.resolve();
  #queue: string[] = [];
  #lossTimer: ReturnType<typeof setTimeout> | undefined;
  /** What the remote side may send over the data channel; shared by the connections that replace each other. */
  #inbound = new TokenBucket(PEER_RATE_LIMIT);
  /** Set once the link is being closed, so that the events it causes are not taken for a loss. */
  closing = false;

  constructor(private readonly options: PeerLinkOptions) {
    this.#held = options.held ? [] : null;
    this.#createConnection();
  }

  get userId(): string {
    return this.options.userId;
  }

  get peerConnection(): RTCPeerConnection {
    return this.#pc;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.#pc.connectionState;
  }

  get channelOpen(): boolean {
    return this.#channel.readyState === 'open';
  }

  /** Messages kept for later (held signals, early candidates, queued messages): bounded, whatever a peer sends. */
  get bufferedCount(): number {
    return (this.#held?.length ?? 0) + this.#pendingCandidates.length + this.#queue.length;
  }

  /** Starts the connection from this side: our transceivers go into the first offer. */
  connect(): void {
    if (this.#audio) return;
    this.#mayOffer = true;
    this.#audio = this.#pc.addTransceiver(this.#localAudio ?? 'audio', { direction: 'sendrecv' });
    this.#video = this.#pc.addTransceiver(this.#localVideo ?? 'video', { direction: 'sendrecv' });
    this.#screen = this.#pc.addTransceiver(this.#localScreen ?? 'video', { direction: 'sendrecv' });
    this.#applyEncodings();
    if (this.#offerWanted) void this.#offer();
  }

  /** What we send; null sends nothing on that transceiver. No renegotiation. */
  setLocalTracks(audio: MediaStreamTrack | null, video: MediaStreamTrack | null): void {
    this.#localAudio = audio;
    this.#localVideo = video;
    this.#applyLocalTracks();
  }

  /**
   * How the camera is encoded on this connection (the send ladder, or network adaptation under it;
   * `active: false` pauses it); audio always comes first.
   */
  setVideoEncoding(encoding: VideoEncoding & { active?: boolean }): void {
    this.#videoEncoding = encoding;
    this.#applyEncodings();
  }

  /** For the next ICE restart, and for a connection that replaces this one. */
  setIceServers(iceServers: RTCIceServer[]): void {
    this.options.rtcConfig = { ...this.options.rtcConfig, iceServers };
    if (this.#pc.signalingState === 'closed') return;
    try {
      this.#pc.setConfiguration({ ...this.#pc.getConfiguration(), iceServers });
    } catch (error) {
      this.options.handlers.onNegotiationError(error);
    }
  }

  /** The screen we share; null stops sending it. No renegotiation. */
  setScreenTrack(track: MediaStreamTrack | null): void {
    this.#localScreen = track;
    this.#syncScreen();
  }

  /** How the screen is encoded on this connection: its resolution is kept, its bitrate its own. */
  setScreenEncoding(encoding: ScreenEncoding): void {
    this.#screenEncoding = encoding;
    this.#applyEncodings();
  }

  /** Lets held signals through: the connection is made now. */
  release(): void {
    const held = this.#held;
    this.#held = null;
    for (const signal of held ?? []) this.handleSignal(signal);
  }

  /**
   * New ICE credentials and candidates, negotiated like any other change. Restarts that cross are
   * resolved like any crossing offers (the polite side's is rolled back); the repair ladder makes
   * the polite side wait longer so that they rarely do.
   */
  restartIce(): void {
    if (this.#pc.signalingState !== 'closed') this.#pc.restartIce();
  }

  /**
   * A fresh connection from this side, offered through the server: the remote side takes an offer
   * from a new connection id as a replacement of ours. For a connection whose data channel is gone
   * or that ICE restarts could not repair.
   */
  renew(): void {
    if (this.closing) return;
    this.#replaceConnection();
    this.connect();
  }

  /** A control message: over the data channel when open, else through the server, else queued. */
  send(message: Exclude<PeerMessage, SignalMessage>): void {
    const wire = toWire(message);
    if (this.channelOpen) this.#channel.send(JSON.stringify(wire));
    else if (!this.options.handlers.relay(wire) && this.#queue.length < MAX_QUEUED_MESSAGES) this.#queue.push(JSON.stringify(wire));
  }

  handleSignal(signal: SignalMessage): void {
    if (this.closing) return;
    if (this.#held) {
      if (this.#held.length < MAX_HELD_SIGNALS) this.#held.push(signal);
      return;
    }
    this.#signals = this.#signals.then(() => this.#onSignal(signal)).catch((error: unknown) => {
      if (!this.closing) this.options.handlers.onNegotiationError(error);
    });
  }

  /** Starts the grace period of an interrupted connection; `onLost` runs if it does not come back. */
  watchForLoss(graceMs: number, onLost: () => void): void {
    if (this.#lossTimer !== undefined) return;
    this.#lossTimer = setTimeout(() => {
      this.#lossTimer = undefined;
      onLost();
    }, graceMs);
  }

  cancelLossWatch(): void {
    clearTimeout(this.#lossTimer);
    this.#lossTimer = undefined;
  }

  /**
   * Resolves once the remote side has closed the data channel (it closes the connection on
   * receiving a goodbye), or after `timeoutMs`: closing first could drop a goodbye still in flight.
   */
  async drain(timeoutMs: number): Promise<void> {
    const channel = this.#channel;
    if (channel.readyState !== 'open') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onClose: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      onClose = resolve;
      channel.addEventListener('close', onClose);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    channel.removeEventListener('close', onClose!);
  }

  close(): void {
    this.closing = true;
    this.cancelLossWatch();
    this.#queue = [];
    this.#held = null;
    this.#channel.close();
    this.#pc.close();
  }

  #createConnection(): void {
    const pc = new RTCPeerConnection(this.options.rtcConfig);
    const channel = pc.createDataChannel('meshcall', { negotiated: true, id: 0, ordered: true });
    this.#pc = pc;
    this.#channel = channel;
    const current = () => this.#pc === pc && !this.closing;
    channel.onopen = () => {
      if (!current()) return;
      for (const text of this.#queue.splice(0)) channel.send(text);
      this.#announceScreen();
      this.options.handlers.onChannelOpen();
    };
    // Binary frames are not meshcall's: as ArrayBuffers they are dropped unread (a Blob would be kept).
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (event: MessageEvent) => {
      if (!current()) return;
      if (!this.#inbound.take()) {
        this.options.handlers.onMalformed();
        return;
      }
      const message = parseMessageText(event.data);
      if (!message) this.options.handlers.onMalformed();
      else if (message.type === 'signal') this.handleSignal(message);
      else if (message.type === 'screen-track') this.#onRemoteScreenMid(message.mid);
      else this.options.handlers.onMessage(message);
    };
    channel.onclose = () => {
      if (current()) this.options.handlers.onChannelClosed();
    };
    pc.onnegotiationneeded = () => {
      if (this.#mayOffer) void this.#offer();
      else this.#offerWanted = true;
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate && current()) this.#signal({ candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, transceiver }) => {
      // The camera's m-line comes before any screen's: the first video track is the camera.
      if (!current() || this.#remoteTracks.has(track.kind) || (transceiver.mid !== null && transceiver.mid === this.#remoteScreenMid)) return;
      this.#remoteTracks.set(track.kind, track);
      this.options.handlers.onRemoteStream(new MediaStream([...this.#remoteTracks.values()]));
    };
    pc.onconnectionstatechange = () => {
      if (current()) this.options.handlers.onConnectionState(pc.connectionState);
    };
  }

  async #offer(): Promise<void> {
    const pc = this.#pc;
    this.#offerWanted = false;
    try {
      this.#makingOffer = true;
      await pc.setLocalDescription();
      if (pc === this.#pc && !this.closing && pc.localDescription) this.#signal({ description: pc.localDescription.toJSON() });
    } catch (error) {
      if (pc === this.#pc && !this.closing) this.options.handlers.onNegotiationError(error);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** The remote side started a new connection (its old one failed or was closed), or we do. */
  #replaceConnection(): void {
    // A loss the old connection's channel was about to report is not this connection's.
    this.cancelLossWatch();
    const old = this.#pc;
    const oldChannel = this.#channel;
    this.#remoteId = null;
    this.#id = randomId(16);
    this.#audio = this.#video = this.#screen = null;
    this.#announcedScreenMid = this.#remoteScreenMid = null;
    this.#remoteTracks.clear();
    this.#pendingCandidates = [];
    this.#makingOffer = this.#ignoreOffer = this.#mayOffer = this.#offerWanted = false;
    this.#createConnection();
    oldChannel.close();
    old.close();
    this.#emitRemoteScreen();
  }

  async #onSignal(signal: SignalMessage): Promise<void> {
    if (this.closing) return;
    if (signal.to !== null && signal.to !== this.#id) return;
    if (this.#remoteId !== null && signal.from !== this.#remoteId) {
      if (signal.description?.type !== 'offer') return;
      this.#replaceConnection();
      this.options.handlers.onReplaced();
    }
    const pc = this.#pc;
    if (signal.candidate) {
      if (this.#remoteId === null) {
        if (this.#pendingCandidates.length < MAX_PENDING_CANDIDATES) this.#pendingCandidates.push(signal.candidate);
        return;
      }
      // Candidates of an offer we ignored, or of an older ICE generation, are expected to fail.
      await pc.addIceCandidate(signal.candidate).catch(() => undefined);
      return;
    }
    const description = signal.description!;
    const collision = description.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.options.polite && collision;
    if (this.#ignoreOffer) return;
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription(description);
    if (pc !== this.#pc || this.closing) return;
    this.#remoteId = signal.from;
    this.#applyEncodings();
    if (description.type === 'offer') {
      this.#adoptTransceivers();
      await pc.setLocalDescription();
      if (pc !== this.#pc || this.closing || !pc.localDescription) return;
      this.#mayOffer = true;
      this.#signal({ description: pc.localDescription.toJSON() });
    }
    // A screen shared before this negotiation can be named now.
    this.#announceScreen();
    this.#emitRemoteScreen();
    for (const candidate of this.#pendingCandidates.splice(0)) await pc.addIceCandidate(candidate).catch(() => undefined);
  }

  /**
   * On the answering side, the remote offer created the transceivers: send on them too. When both
   * sides offered at once and ours was rolled back (we are polite), the transceivers of our offer
   * were never negotiated: the offer's own take their place, or we would send on m-lines the other
   * side never saw. The losers are made inactive rather than stopped: Firefox keeps asking for a
   * negotiation about a stopped transceiver that never had an m-line.
   */
  #adoptTransceivers(): void {
    const transceivers = this.#pc.getTransceivers();
    const adopt = (current: RTCRtpTransceiver | null, kind: 'audio' | 'video'): RTCRtpTransceiver | null => {
      if (current?.mid) return current;
      // The offer's m-lines in order: microphone, camera, screen.
      const taken = [this.#audio, this.#video];
      const negotiated =
        transceivers.find((transceiver) => transceiver.mid && transceiver.receiver.track.kind === kind && !taken.includes(transceiver)) ?? null;
      if (current && negotiated) {
        current.direction = 'inactive';
        void current.sender.replaceTrack(null).catch(() => undefined);
      }
      const adopted = negotiated ?? current;
      if (adopted && adopted.direction !== 'sendrecv') adopted.direction = 'sendrecv';
      return adopted;
    };
    this.#audio = adopt(this.#audio, 'audio');
    this.#video = adopt(this.#video, 'video');
    this.#screen = adopt(this.#screen, 'video');
    this.#applyLocalTracks();
    this.#syncScreen();
  }

  /** Puts our screen on its transceiver and tells the far side what changed. */
  #syncScreen(): void {
    const track = this.#localScreen;
    if (this.#pc.signalingState === 'closed') return;
    if (this.#screen && this.#screen.sender.track !== track) {
      this.#screen.sender.replaceTrack(track).catch((error: unknown) => {
        if (!this.closing) this.options.handlers.onNegotiationError(error);
      });
    }
    this.#announceScreen();
  }

  /**
   * Names our screen's m-line to the far side once both descriptions have it (before that, the mid
   * means nothing to them), and null when we stop. Over the data channel only: the mid belongs to
   * this connection; the channel's opening announces what was waiting.
   */
  #announceScreen(): void {
    const transceiver = this.#screen;
    const negotiated = transceiver?.currentDirection === 'sendrecv';
    const mid = this.#localScreen && negotiated ? transceiver!.mid : null;
    if (mid === this.#announcedScreenMid || !this.channelOpen) return;
    this.#announcedScreenMid = mid;
    this.#channel.send(JSON.stringify(toWire<PeerMessage>({ type: 'screen-track', callId: this.options.callId, mid })));
  }

  #onRemoteScreenMid(mid: string | null): void {
    this.#remoteScreenMid = mid;
    this.#emitRemoteScreen();
  }

  /**
   * Their screen is the track we receive on the m-line they named, if that is negotiated to carry
   * media to us and is not the microphone's or the camera's; reported when it changes, one stream
   * per track.
   */
  #emitRemoteScreen(): void {
    const mid = this.#remoteScreenMid;
    const transceiver = mid === null ? undefined : this.#pc.getTransceivers().find((each) => each.mid === mid);
    const receiving = transceiver?.currentDirection === 'recvonly' || transceiver?.currentDirection === 'sendrecv';
    const track =
      transceiver && receiving && transceiver !== this.#audio && transceiver !== this.#video && transceiver.receiver.track.kind === 'video'
        ? transceiver.receiver.track
        : null;
    if ((this.#remoteScreen?.getVideoTracks()[0] ?? null) === track) return;
    this.#remoteScreen = track ? new MediaStream([track]) : null;
    if (!this.closing) this.options.handlers.onRemoteScreen(this.#remoteScreen);
  }

  #applyLocalTracks(): void {
    const apply = (transceiver: RTCRtpTransceiver | null, track: MediaStreamTrack | null) => {
      if (!transceiver || transceiver.sender.track === track || this.#pc.signalingState === 'closed') return;
      transceiver.sender.replaceTrack(track).catch((error: unknown) => {
        if (!this.closing) this.options.handlers.onNegotiationError(error);
      });
    };
    apply(this.#audio, this.#localAudio);
    apply(this.#video, this.#localVideo);
  }

  /**
   * Best effort: encodings exist once a transceiver is negotiated, and a browser that refuses a
   * parameter still carries the call, only less economically. Applied again after each negotiation.
   */
  #applyEncodings(): void {
    if (this.#pc.signalingState === 'closed') return;
    const update = (transceiver: RTCRtpTransceiver | null, wanted: Partial<RTCRtpEncodingParameters>) => {
      if (!transceiver) return;
      const parameters = transceiver.sender.getParameters();
      const encoding = parameters.encodings?.[0];
      if (!encoding || Object.entries(wanted).every(([key, value]) => encoding[key as keyof RTCRtpEncodingParameters] === value)) return;
      Object.assign(encoding, wanted);
      transceiver.sender.setParameters(parameters).catch(() => undefined);
    };
    update(this.#audio, { priority: 'high', networkPriority: 'high' });
    if (this.#videoEncoding) update(this.#video, { ...this.#videoEncoding });
    if (this.#screen && this.#screenEncoding) {
      // Above the cameras' priority (low), below the microphone's (high); one call, since a second
      // setParameters before the first settled would be refused.
      const wanted: Partial<RTCRtpEncodingParameters> = { ...this.#screenEncoding, priority: 'medium', networkPriority: 'medium' };
      const parameters = this.#screen.sender.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
      const encoding = parameters.encodings?.[0];
      const same = Object.entries(wanted).every(([key, value]) => encoding?.[key as keyof RTCRtpEncodingParameters] === value);
      if (encoding && !(same && parameters.degradationPreference === 'maintain-resolution')) {
        Object.assign(encoding, wanted);
        parameters.degradationPreference = 'maintain-resolution';
        this.#screen.sender.setParameters(parameters).catch(() => undefined);
      }
    }
  }

  /**
   * Signals go over the data channel only while the connection works: when ICE is interrupted the
   * channel still reads open, and the offer that would repair it must go through the server.
   */
  #signal(fields: Pick<SignalMessage, 'description' | 'candidate'>): void {
    const wire = toWire<SignalMessage>({ type: 'signal', callId: this.options.callId, from: this.#id, to: this.#remoteId, ...fields });
    if (this.channelOpen && this.#pc.connectionState === 'connected') {
      this.#channel.send(JSON.stringify(wire));
      return;
    }
    if (!this.options.handlers.relay(wire) && this.channelOpen) this.#channel.send(JSON.stringify(wire));
  }
}

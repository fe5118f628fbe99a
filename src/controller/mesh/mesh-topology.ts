import type { CallTopology, CallTopologyOptions } from '../call/topology.js';
import type { ControlMessage, SignalMessage } from '../protocol.js';
import { PeerLink } from './peer-link.js';
import type { ScreenEncoding, VideoEncoding } from './send-ladder.js';

/** How long a connection may stay interrupted before it counts as lost. */
const RECONNECT_GRACE_MS = 8000;
/** An interrupted connection gets this long to come back by itself before ICE is restarted. */
const ICE_RESTART_DELAY_MS = 1500;
/** How long goodbyes may take to reach the other side before a connection is closed regardless. */
export const DRAIN_TIMEOUT_MS = 1000;

/**
 * A full mesh: one {@link PeerLink} per remote participant. It repairs interrupted connections
 * (ICE restart, from the impolite side) and reports a connection lost only once repair failed or
 * its data channel closed without a goodbye.
 */
export class MeshTopology implements CallTopology {
  readonly #links = new Map<string, PeerLink>();
  #encoding: VideoEncoding | null = null;
  readonly #userEncodings = new Map<string, VideoEncoding & { active: boolean }>();
  #screenEncoding: ScreenEncoding | null = null;

  constructor(private readonly options: CallTopologyOptions) {}

  open(userId: string, { initiator, held = false }: { initiator: boolean; held?: boolean }): void {
    this.#links.get(userId)?.close();
    const { handlers } = this.options;
    const current = () => this.#links.get(userId) === link && !link.closing;
    const link: PeerLink = new PeerLink({
      userId,
      callId: this.options.callId,
      polite: this.options.selfId > userId,
      rtcConfig: this.options.rtcConfig,
      held,
      handlers: {
        relay: (message) => handlers.relay(userId, message),
        onMessage: (message) => {
          if (current()) handlers.onMessage(userId, message);
        },
        onMalformed: () => {
          if (current()) handlers.onMalformed(userId);
        },
        onRemoteStream: (stream) => {
          if (current()) handlers.onRemoteStream(userId, stream);
        },
        onRemoteScreen: (stream) => {
          if (current()) handlers.onRemoteScreen(userId, stream);
        },
        onConnectionState: (state) => {
          if (current()) this.#onConnectionState(link, state);
        },
        // A goodbye sent through the server (the sender's channel was not open) may still be on its way.
        onChannelClosed: () => link.watchForLoss(DRAIN_TIMEOUT_MS, () => this.#lose(link)),
        onNegotiationError: (error) => {
          if (current()) handlers.onNegotiationError(userId, error);
        },
      },
    });
    this.#links.set(userId, link);
    this.#applyEncoding(link);
    if (this.#screenEncoding) link.setScreenEncoding(this.#screenEncoding);
    if (initiator) link.connect();
  }

  has(userId: string): boolean {
    return this.#links.has(userId);
  }

  userIds(): string[] {
    return [...this.#links.keys()];
  }

  isLive(userId: string): boolean {
    const link = this.#links.get(userId);
    return !!link && (link.channelOpen || link.connectionState === 'connected');
  }

  isSettingUp(userId: string): boolean {
    return this.#links.get(userId)?.connectionState === 'connecting';
  }

  connectionOf(userId: string): RTCPeerConnection | null {
    return this.#links.get(userId)?.peerConnection ?? null;
  }

  bufferedCount(): number {
    let count = 0;
    for (const link of this.#links.values()) count += link.bufferedCount;
    return count;
  }

  send(userId: string, message: ControlMessage): void {
    this.#links.get(userId)?.send(message);
  }

  broadcast(message: ControlMessage): void {
    for (const link of this.#links.values()) link.send(message);
  }

  handleSignal(userId: string, signal: SignalMessage): void {
    this.#links.get(userId)?.handleSignal(signal);
  }

  release(): void {
    for (const link of this.#links.values()) link.release();
  }

  setLocalTracks(userId: string, audio: MediaStreamTrack | null, video: MediaStreamTrack | null): void {
    this.#links.get(userId)?.setLocalTracks(audio, video);
  }

  setVideoEncoding(encoding: VideoEncoding): void {
    this.#encoding = encoding;
    for (const link of this.#links.values()) this.#applyEncoding(link);
  }

  setUserVideoEncoding(userId: string, encoding: (VideoEncoding & { active: boolean }) | null): void {
    if (encoding) this.#userEncodings.set(userId, encoding);
    else this.#userEncodings.delete(userId);
    const link = this.#links.get(userId);
    if (link) this.#applyEncoding(link);
  }

  #applyEncoding(link: PeerLink): void {
    const encoding = this.#userEncodings.get(link.userId) ?? (this.#encoding && { ...this.#encoding, active: true });
    if (encoding) link.setVideoEncoding(encoding);
  }

  setIceServers(iceServers: RTCIceServer[]): void {
    this.options.rtcConfig = { ...this.options.rtcConfig, iceServers };
    for (const link of this.#links.values()) link.setIceServers(iceServers);
  }

  setScreenTrack(userId: string, track: MediaStreamTrack | null): void {
    this.#links.get(userId)?.setScreenTrack(track);
  }

  setScreenEncoding(encoding: ScreenEncoding): void {
    this.#screenEncoding = encoding;
    for (const link of this.#links.values()) link.setScreenEncoding(encoding);
  }

  close(userId: string, drain: boolean): Promise<void> | null {
    const link = this.#links.get(userId);
    if (!link) return null;
    this.#links.delete(userId);
    this.#userEncodings.delete(userId);
    return retire([link], drain);
  }

  closeAll(drain: boolean): Promise<void> | null {
    const links = [...this.#links.values()];
    this.#links.clear();
    this.#userEncodings.clear();
    return retire(links, drain);
  }

  #onConnectionState(link: PeerLink, state: RTCPeerConnectionState): void {
    const { handlers } = this.options;
    switch (state) {
      case 'connected':
        link.cancelLossWatch();
        handlers.onConnectionChange(link.userId, 'up');
        break;
      case 'disconnected':
        handlers.onConnectionChange(link.userId, 'recovering');
        link.watchForLoss(RECONNECT_GRACE_MS, () => this.#lose(link));
        setTimeout(() => {
          if (!link.closing && link.connectionState === 'disconnected') link.restartIce();
        }, ICE_RESTART_DELAY_MS);
        break;
      case 'failed':
        link.restartIce();
        link.watchForLoss(RECONNECT_GRACE_MS, () => this.#lose(link));
        break;
    }
  }

  #lose(link: PeerLink): void {
    if (!link.closing && this.#links.get(link.userId) === link) this.options.handlers.onLost(link.userId);
  }
}

/**
 * Closes links, after draining their control channels when asked. While draining, the media stays
 * connected (the local tracks are already stopped), so that nothing overtakes the goodbye.
 */
function retire(links: PeerLink[], drain: boolean): Promise<void> | null {
  for (const link of links) link.closing = true;
  if (!drain || links.length === 0) {
    for (const link of links) link.close();
    return null;
  }
  return Promise.all(links.map((link) => link.drain(DRAIN_TIMEOUT_MS))).then(() => links.forEach((link) => link.close()));
}

import type { CallTopology, CallTopologyOptions } from '../call/topology.js';
import type { ControlMessage, SignalMessage } from '../protocol.js';
import { LinkRepair, type Interruption } from './link-repair.js';
import { PeerLink } from './peer-link.js';
import type { ScreenEncoding, VideoEncoding } from './send-ladder.js';

/** How long goodbyes may take to reach the other side before a connection is closed regardless. */
export const DRAIN_TIMEOUT_MS = 1000;

/**
 * A full mesh: one {@link PeerLink} per remote participant. It repairs interrupted connections,
 * each on its own {@link LinkRepair} ladder (ICE restarts, then a fresh connection), the others
 * untouched, and reports a connection lost only once repair gave up.
 */
export class MeshTopology implements CallTopology {
  readonly #links = new Map<string, PeerLink>();
  readonly #repairs = new Map<PeerLink, LinkRepair>();
  #encoding: VideoEncoding | null = null;
  readonly #userEncodings = new Map<string, VideoEncoding & { active: boolean }>();
  #screenEncoding: ScreenEncoding | null = null;

  constructor(private readonly options: CallTopologyOptions) {}

  open(userId: string, { initiator, held = false }: { initiator: boolean; held?: boolean }): void {
    const previous = this.#links.get(userId);
    if (previous) this.#retireRepair(previous);
    previous?.close();
    const { handlers } = this.options;
    const polite = this.options.selfId > userId;
    const current = () => this.#links.get(userId) === link && !link.closing;
    const link: PeerLink = new PeerLink({
      userId,
      callId: this.options.callId,
      polite,
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
        onChannelClosed: () => link.watchForLoss(DRAIN_TIMEOUT_MS, () => this.#interrupt(link, 'channel-closed')),
        onReplaced: () => this.#repairs.get(link)?.renewed(),
        onChannelOpen: () => {
          if (current() && link.connectionState === 'connected') this.#recovered(link);
        },
        onNegotiationError: (error) => {
          if (current()) handlers.onNegotiationError(userId, error);
        },
      },
    });
    this.#links.set(userId, link);
    this.#repairs.set(
      link,
      new LinkRepair(polite, {
        restartIce: () => link.restartIce(),
        renew: () => {
          if (current()) link.renew();
        },
        lost: () => this.#lose(link),
      }),
    );
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
    const link = this.#links.get(userId);
    return !!link && (link.connectionState === 'connecting' || !!this.#repairs.get(link)?.repairing);
  }

  networkChanged(): void {
    for (const link of this.#links.values()) {
      if (link.connectionState !== 'connected') this.#repairs.get(link)?.networkChanged();
    }
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
    this.#retireRepair(link);
    return retire([link], drain);
  }

  closeAll(drain: boolean): Promise<void> | null {
    const links = [...this.#links.values()];
    for (const link of links) this.#retireRepair(link);
    this.#links.clear();
    this.#userEncodings.clear();
    return retire(links, drain);
  }

  #onConnectionState(link: PeerLink, state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        // A fresh connection is back once its channel is open too, or it could flap without end.
        if (link.channelOpen || !this.#repairs.get(link)?.repairing) this.#recovered(link);
        break;
      case 'disconnected':
      case 'failed':
        this.#interrupt(link, state);
        break;
    }
  }

  #recovered(link: PeerLink): void {
    const repair = this.#repairs.get(link);
    repair?.recovered();
    if (!repair?.repairing) this.options.handlers.onConnectionChange(link.userId, 'up');
  }

  #interrupt(link: PeerLink, how: Interruption): void {
    const repair = this.#repairs.get(link);
    if (!repair || link.closing || this.#links.get(link.userId) !== link) return;
    if (!repair.repairing) this.options.handlers.onConnectionChange(link.userId, 'recovering');
    // The call logic may have closed the link on hearing of it.
    if (!link.closing) repair.interrupted(how);
  }

  #retireRepair(link: PeerLink): void {
    this.#repairs.get(link)?.dispose();
    this.#repairs.delete(link);
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

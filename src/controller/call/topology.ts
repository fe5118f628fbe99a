import type { ScreenEncoding, VideoEncoding } from '../mesh/send-ladder.js';
import type { ControlMessage, SignalMessage } from '../protocol.js';

/**
 * What the call logic needs of the connections that carry a call, whatever their shape: a full
 * mesh (one connection per remote participant, `mesh/`) today, a media server later. Everything is
 * addressed by user id; the topology owns the connections, their recovery and their closing.
 */
export interface CallTopology {
  /**
   * A connection to `userId`, replacing any there was. `initiator`: we make the first offer;
   * `held`: signals from them wait until {@link release}.
   */
  open(userId: string, options: { initiator: boolean; held?: boolean }): void;
  has(userId: string): boolean;
  /** Users we have a connection to, in the order they were opened. */
  userIds(): string[];
  /** Whether the connection to them carries messages or media right now. */
  isLive(userId: string): boolean;
  /**
   * Whether the connection to them is still being set up or repaired (as opposed to failed or not
   * started); the topology bounds its own repair and reports `onLost` when it gives up.
   */
  isSettingUp(userId: string): boolean;
  /** The device's network changed (`online`, a new interface): interrupted connections are repaired now. */
  networkChanged(): void;
  connectionOf(userId: string): RTCPeerConnection | null;
  /** Messages from the others kept for later (signals held or early): bounded whatever they send. */
  bufferedCount(): number;
  /** Over the connection when it is up, else through the signalling server, else queued. */
  send(userId: string, message: ControlMessage): void;
  broadcast(message: ControlMessage): void;
  handleSignal(userId: string, signal: SignalMessage): void;
  /** Lets the held connections connect. */
  release(): void;
  /** What we send to that user; null sends nothing of that kind. */
  setLocalTracks(userId: string, audio: MediaStreamTrack | null, video: MediaStreamTrack | null): void;
  setVideoEncoding(encoding: VideoEncoding): void;
  /** New ICE servers (renewed TURN credentials): used by new connections and the next ICE restart. */
  setIceServers(iceServers: RTCIceServer[]): void;
  /**
   * The camera's encoding on the connection to one user, in place of the one above (network
   * adaptation; `active: false` pauses the camera to them); null goes back to the one above.
   */
  setUserVideoEncoding(userId: string, encoding: (VideoEncoding & { active: boolean }) | null): void;
  /**
   * The screen we share with that user, as a stream of its own beside the camera; null stops it.
   * The far side reports it through `onRemoteScreen`, told apart from the camera by the connection.
   */
  setScreenTrack(userId: string, track: MediaStreamTrack | null): void;
  setScreenEncoding(encoding: ScreenEncoding): void;
  /**
   * Closes the connection to one user. With `drain`, a goodbye was just sent: the connection stays
   * until the other side closes it on receipt, or a timeout. Returns the pending close, if any.
   */
  close(userId: string, drain: boolean): Promise<void> | null;
  closeAll(drain: boolean): Promise<void> | null;
}

export interface CallTopologyHandlers {
  /** Sends through the signalling server; false when that is not possible right now. */
  relay(userId: string, message: object): boolean;
  onMessage(userId: string, message: ControlMessage): void;
  onMalformed(userId: string): void;
  onRemoteStream(userId: string, stream: MediaStream): void;
  /** The screen that user shares with us, or null once they stop (or their connection was replaced). */
  onRemoteScreen(userId: string, stream: MediaStream | null): void;
  /** `up`: media flows; `recovering`: interrupted, being repaired. */
  onConnectionChange(userId: string, state: 'up' | 'recovering'): void;
  /** The connection is gone for good without a goodbye. */
  onLost(userId: string): void;
  onNegotiationError(userId: string, error: unknown): void;
}

export interface CallTopologyOptions {
  selfId: string;
  callId: string;
  rtcConfig: RTCConfiguration;
  handlers: CallTopologyHandlers;
}

export type CallTopologyFactory = (options: CallTopologyOptions) => CallTopology;

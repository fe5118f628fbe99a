import { Peer, type PeerError } from 'peerjs';
import { CallError } from '../errors.js';
import { exceedsJsonDepth } from '../json-depth.js';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_DEPTH } from '../protocol.js';
import { peerIdForUser, userForPeerId } from './peer-id.js';
import type { SignallingConfig, SignallingHandlers, SignallingState, SignallingTransport } from './signalling.js';

const SERVER_RETRY_FIRST_MS = 1000;
const SERVER_RETRY_MAX_MS = 15000;
/** Re-registrations refused because our id is still taken, typically by our own previous socket. */
const ID_TAKEN_RETRIES = 3;
/** PeerServer relays CANDIDATE messages with any payload; this marks the ones that carry ours. */
const RELAY_MARK = 'meshcall';

interface ServerMessage {
  type?: unknown;
  src?: unknown;
  payload?: unknown;
}

/**
 * The parts of PeerJS's internals this transport relies on (peerjs 1.5: `peer.socket` with its
 * WebSocket `_socket` and `start`, `_handleMessage`).
 */
interface PeerInternals {
  socket: {
    send(message: object): void;
    removeAllListeners(event: string): void;
    on(event: string, listener: (message: ServerMessage) => void): void;
    start(id: string, token: string): void;
    _socket?: WebSocket;
  };
  _handleMessage(message: ServerMessage): void;
}

/** A server frame carries one relayed payload (at most MAX_MESSAGE_BYTES) and a little envelope. */
const MAX_SERVER_FRAME = MAX_MESSAGE_BYTES + 1024;
/** The envelope (`{ payload: { meshcall: … } }`) adds two levels to a payload's own. */
const MAX_SERVER_FRAME_DEPTH = MAX_MESSAGE_DEPTH + 2;
/** What the `peer` package answers a registration whose token its check refused (its `Errors.INVALID_TOKEN`). */
const INVALID_TOKEN = 'Invalid token provided';

/** Server messages PeerJS itself needs for registration and for telling us a peer is offline. */
const REGISTRATION_MESSAGES = new Set(['OPEN', 'ERROR', 'ID-TAKEN', 'INVALID-KEY', 'EXPIRE']);

/**
 * Signalling through a PeerServer (the `peer` package), with PeerJS for registration only. Our
 * payloads travel as CANDIDATE messages, which the server relays to the named peer after stamping
 * the real sender. Every other message from peers (PeerJS's own offers and candidates) is dropped
 * before PeerJS sees it: PeerJS would open connections for them and keep messages for unknown
 * connections forever.
 */
export class PeerJsSignalling implements SignallingTransport {
  #state: SignallingState = 'disconnected';
  #peer: Peer | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = SERVER_RETRY_FIRST_MS;
  #idTakenRetries = 0;
  /** An outage was reported and has not ended yet: one report per outage, not one per retry. */
  #outageReported = false;
  #suspended = false;

  constructor(
    private readonly config: SignallingConfig,
    private readonly handlers: SignallingHandlers,
  ) {}

  get state(): SignallingState {
    return this.#state;
  }

  async connect(): Promise<void> {
    const { server, namespace, userId } = this.config;
    const peer = new Peer(peerIdForUser(userId, namespace), {
      host: server.host,
      port: server.port,
      path: server.path,
      secure: server.secure,
      key: server.key,
      // PeerJS puts the token into the WebSocket URL unencoded (the server decodes the query); without
      // one it draws a random token, which only lets this page take its own id back after a blip.
      ...(server.token !== undefined ? { token: encodeURIComponent(server.token) } : {}),
      // PeerJS opens no connection of its own here; an explicit empty list still keeps its public defaults out.
      config: { iceServers: [] },
      // Level 0 logs nothing: PeerJS's logs would show the WebSocket URL, with the key and the token.
      debug: 0,
    });
    this.#peer = peer;
    this.#boundServerFrames(peer);
    this.#interceptServerMessages(peer);
    this.#setState('connecting');
    try {
      await whenRegistered(peer, this.config.connectTimeout);
    } catch (error) {
      if (this.#peer === peer) this.close();
      throw error;
    }
    if (this.#peer !== peer) throw new CallError('invalid-state', 'disconnect() was called while connecting.');
    peer.on('error', (error) => this.#onPeerError(peer, error));
    peer.on('disconnected', () => this.#onServerLost(peer));
    peer.on('open', () => this.#onServerBack(peer));
    this.#setState('connected');
  }

  send(toUserId: string, payload: object): boolean {
    const peer = this.#peer;
    if (!peer || !peer.open || peer.disconnected) return false;
    const dst = peerIdForUser(toUserId, this.config.namespace);
    (peer as unknown as PeerInternals).socket.send({ type: 'CANDIDATE', dst, payload: { [RELAY_MARK]: payload } });
    return true;
  }

  suspend(): void {
    this.#suspended = true;
    clearTimeout(this.#retryTimer);
    const peer = this.#peer;
    if (peer && !peer.disconnected) peer.disconnect();
  }

  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    const peer = this.#peer;
    if (peer && peer.disconnected && !peer.destroyed) peer.reconnect();
  }

  close(): void {
    clearTimeout(this.#retryTimer);
    const peer = this.#peer;
    this.#peer = null;
    peer?.destroy();
    this.#setState('disconnected');
  }

  #setState(next: SignallingState): void {
    if (this.#state === next) return;
    this.#state = next;
    this.handlers.onStateChange(next);
  }

  /**
   * Frames larger or more deeply nested than any payload of ours, and binary ones, are dropped before
   * PeerJS parses them (such a JSON.parse stalls the page): anything another peer sends comes this way.
   * PeerJS opens a new WebSocket on each registration, so each one is guarded as it is opened.
   */
  #boundServerFrames(peer: Peer): void {
    const socket = (peer as unknown as PeerInternals).socket;
    const guard = (webSocket: WebSocket | undefined) => {
      const parse = webSocket?.onmessage;
      if (!webSocket || !parse) return;
      webSocket.onmessage = function (this: WebSocket, event: MessageEvent) {
        const frame: unknown = event.data;
        if (typeof frame !== 'string' || frame.length > MAX_SERVER_FRAME || exceedsJsonDepth(frame, MAX_SERVER_FRAME_DEPTH)) return;
        parse.call(this, event);
      };
    };
    guard(socket._socket);
    const start = socket.start;
    socket.start = function (this: PeerInternals['socket'], id: string, token: string) {
      start.call(this, id, token);
      guard(this._socket);
    };
  }

  #interceptServerMessages(peer: Peer): void {
    const internals = peer as unknown as PeerInternals;
    internals.socket.removeAllListeners('message');
    internals.socket.on('message', (message) => {
      if (this.#peer !== peer || typeof message !== 'object' || message === null) return;
      if (typeof message.type === 'string' && REGISTRATION_MESSAGES.has(message.type)) {
        internals._handleMessage(message);
        return;
      }
      if (message.type !== 'CANDIDATE' || typeof message.src !== 'string') return;
      const payload = message.payload as Record<string, unknown> | null;
      if (typeof payload !== 'object' || payload === null || !Object.hasOwn(payload, RELAY_MARK)) return;
      const from = userForPeerId(message.src, this.config.namespace);
      if (from && from !== this.config.userId) this.handlers.onMessage(from, payload[RELAY_MARK]);
    });
  }

  #onPeerError(peer: Peer, error: PeerError<string>): void {
    if (peer !== this.#peer) return;
    switch (error.type) {
      case 'peer-unavailable': {
        const peerId = /peer (\S+)$/.exec(error.message)?.[1];
        const userId = peerId ? userForPeerId(peerId, this.config.namespace) : null;
        if (userId) this.handlers.onUnreachable(userId);
        break;
      }
      case 'unavailable-id':
        // The server may not have dropped our previous socket yet (a page back from the cache, a
        // network blip): the retry scheduled on 'disconnected' gets a few chances first.
        if (this.#idTakenRetries++ < ID_TAKEN_RETRIES) break;
        this.handlers.onError(new CallError('identity-in-use', 'This user is connected elsewhere.'));
        break;
      case 'server-error':
        if (error.message === INVALID_TOKEN) {
          this.handlers.onError(unauthorized());
          break;
        }
        if (this.#outageReported) break;
        this.#outageReported = true;
        this.handlers.onError(new CallError('server-unreachable', 'The signalling server cannot be reached.', { cause: error }));
        break;
      case 'invalid-key':
        // PeerJS's message quotes the key: neither it nor the error goes further.
        this.handlers.onError(unauthorized());
        break;
      case 'network':
      case 'socket-error':
      case 'socket-closed':
      case 'disconnected':
        if (this.#outageReported) break;
        this.#outageReported = true;
        this.handlers.onError(new CallError('server-unreachable', 'The signalling server cannot be reached.', { cause: error }));
        break;
      default:
        this.handlers.onError(new CallError('connection-failed', error.message, { cause: error }));
    }
  }

  /** Registration is retried with a growing delay; calls in progress go on peer to peer meanwhile. */
  #onServerLost(peer: Peer): void {
    if (peer !== this.#peer || peer.destroyed) return;
    this.#setState('reconnecting');
    clearTimeout(this.#retryTimer);
    if (this.#suspended) return;
    this.#retryTimer = setTimeout(() => {
      if (peer === this.#peer && peer.disconnected && !peer.destroyed) peer.reconnect();
    }, this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, SERVER_RETRY_MAX_MS);
  }

  #onServerBack(peer: Peer): void {
    if (peer !== this.#peer) return;
    this.#retryDelay = SERVER_RETRY_FIRST_MS;
    this.#idTakenRetries = 0;
    this.#outageReported = false;
    this.#setState('connected');
  }
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
    const onError = (error: PeerError<string>) => {
      if (error.type === 'unavailable-id') {
        settle(new CallError('identity-in-use', 'This user is already connected in another tab or device.', { cause: error }));
      } else if (error.type === 'invalid-key' || (error.type === 'server-error' && error.message === INVALID_TOKEN)) {
        settle(unauthorized());
      } else {
        settle(new CallError('server-unreachable', 'The signalling server cannot be reached.', { cause: error }));
      }
    };
    const onClose = () => settle(new CallError('invalid-state', 'disconnect() was called while connecting.'));
    const timer = setTimeout(() => settle(new CallError('server-unreachable', 'The signalling server did not answer in time.')), timeoutMs);
    peer.on('open', onOpen);
    peer.on('error', onError);
    peer.on('close', onClose);
  });
}

/** No cause attached: PeerJS's errors about credentials quote them. */
function unauthorized(): CallError {
  return new CallError('unauthorized', 'The signalling server refused these credentials (key or token).');
}

export const peerJsSignalling = (config: SignallingConfig, handlers: SignallingHandlers): SignallingTransport =>
  new PeerJsSignalling(config, handlers);

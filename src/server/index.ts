/// <reference types="node" />
/**
 * meshcall/server: the signalling server (the `peer` package's ExpressPeerServer) with a check of
 * who registers. PeerServer alone lets anyone register any free id, so a stranger could take the
 * identity of a user who is not connected yet; with this module the host app decides, from its own
 * session or a signed token, whether a WebSocket may register as that id.
 *
 * Node only; `peer` (1.x) must be installed beside meshcall.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { ExpressPeerServer as ExpressPeerServerType, IConfig } from 'peer';
import { userForPeerId } from '../controller/transport/peer-id.js';
import { exceedsJsonDepth } from '../controller/json-depth.js';

export { mintTurnCredentials, type TurnCredentialOptions, type TurnCredentials } from './turn-credentials.js';

/** The Express app `peer` returns, with its events (`connection`, `message`, `disconnect`, `error`). */
export type SignallingServer = ReturnType<typeof ExpressPeerServerType>;

/** What this module uses of `ws` 8 (the one `peer` depends on; typed here, as another may be hoisted). */
interface CheckedSocket {
  emit(event: string, ...args: unknown[]): boolean;
  readonly readyState: number;
  readonly OPEN: number;
  on(event: 'error', listener: (error: Error) => void): void;
  send(data: string): void;
  close(): void;
}
interface SocketServer {
  on(event: 'connection', listener: (socket: CheckedSocket, request: IncomingMessage) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
type SocketServerConstructor = new (options: object) => SocketServer;

/**
 * Whether the user `userId` (the id the page gave `connect()`) may register with `token` (the page's
 * `server.token`). `request` is the WebSocket upgrade request (its cookies, its origin). Only `true`
 * admits; false, a rejection or a throw refuses.
 */
export type RegistrationCheck = (userId: string, token: string, request: IncomingMessage) => boolean | Promise<boolean>;

export interface SignallingServerOptions extends Partial<Omit<IConfig, 'createWebSocketServer' | 'port' | 'host' | 'ssl'>> {
  authorize: RegistrationCheck;
  /** The pages' `namespace` (`meshcall` by default); peer ids of any other are refused unasked. */
  namespace?: string;
  /**
   * Larger WebSocket frames close the sender's socket. Defaults to 128 KiB: meshcall's own messages
   * are at most 96 KB (an offer's SDP); the `ws` default would be 100 MiB.
   */
  maxMessageBytes?: number;
}

/** What the `peer` package itself answers a refused token (its `Errors.INVALID_TOKEN`); meshcall reports `unauthorized`. */
const INVALID_TOKEN = 'Invalid token provided';
const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
/**
 * meshcall's frames nest 6 deep at most. `peer` relays a frame with JSON.stringify, which fails on
 * deep nesting, and then closes the recipient's socket as if it were dead: one such frame from
 * anyone would cut a user off the server. Deeper frames are dropped before `peer` sees them.
 */
const MAX_FRAME_DEPTH = 16;

const require = createRequire(import.meta.url);

/**
 * A PeerServer to mount on the host app's Express app (`app.use('/signal', server)`), whose
 * registrations pass `authorize` first. PeerJS sends the id, the key and the token in the
 * WebSocket URL's query (the `peer` protocol has no other place for them): keep that URL out of
 * access logs. A refused registration gets the `peer` protocol's "invalid token" error and is
 * closed before it is registered, so it never receives a message meant for that id.
 */
export function signallingServer(server: HttpServer | HttpsServer, options: SignallingServerOptions): SignallingServer {
  const { authorize, namespace = 'meshcall', maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES, ...peerOptions } = options;
  if (typeof authorize !== 'function') throw new TypeError('signallingServer: authorize(id, token, request) is required.');
  const peerPath = require.resolve('peer');
  const { ExpressPeerServer } = require(peerPath) as typeof import('peer');
  // The `ws` that `peer` itself uses (it needs 8.x; another may be hoisted beside it).
  const { WebSocketServer } = createRequire(peerPath)('ws') as { WebSocketServer: SocketServerConstructor };
  const signalling = ExpressPeerServer(server, {
    allow_discovery: false,
    ...peerOptions,
    createWebSocketServer: ((socketOptions: object) =>
      checkedSocketServer(new WebSocketServer({ ...socketOptions, maxPayload: maxMessageBytes }), (peerId, token, request) => {
        const userId = userForPeerId(peerId, namespace);
        return userId !== null && authorize(userId, token, request);
      })) as unknown as IConfig['createWebSocketServer'],
  });
  // `peer` emits a frame that is not JSON as an `error` of the app: with no listener, one such frame
  // from any client would end the process. The host app may add its own listeners to log them.
  signalling.on('error', () => undefined);
  return signalling;
}

/**
 * `peer` only listens to its socket server's `connection` and `error` events: it gets a stand-in
 * that passes on the connections `authorize` admitted.
 */
function checkedSocketServer(
  sockets: SocketServer,
  authorize: (peerId: string, token: string, request: IncomingMessage) => boolean | Promise<boolean>,
): SocketServer {
  const checked = new EventEmitter();
  sockets.on('error', (error) => checked.emit('error', error));
  sockets.on('connection', (socket, request) => {
    // Until `peer` takes the socket: an error event nobody listens to would end the process.
    socket.on('error', () => undefined);
    const query = new URL(request.url ?? '', 'http://peer').searchParams;
    const id = query.get('id');
    const token = query.get('token');
    if (!id || !token) {
      // `peer` answers a registration without them with its own error.
      dropDeepFrames(socket);
      checked.emit('connection', socket, request);
      return;
    }
    void (async () => {
      let admitted = false;
      try {
        admitted = (await authorize(id, token, request)) === true;
      } catch {
        admitted = false;
      }
      if (socket.readyState !== socket.OPEN) return;
      if (admitted) {
        dropDeepFrames(socket);
        checked.emit('connection', socket, request);
        return;
      }
      socket.send(JSON.stringify({ type: 'ERROR', payload: { msg: INVALID_TOKEN } }));
      socket.close();
    })();
  });
  return checked as unknown as SocketServer;
}

/** `peer` listens to each socket's `message` events: deeply nested frames are not passed on to it. */
function dropDeepFrames(socket: CheckedSocket): void {
  const emit = socket.emit.bind(socket);
  socket.emit = (event: string, ...args: unknown[]) => {
    if (event === 'message' && exceedsJsonDepth(String(args[0]), MAX_FRAME_DEPTH)) return false;
    return emit(event, ...args);
  };
}

import type { CallError } from '../errors.js';

/**
 * The link to the signalling server, as a page can show it:
 * `connecting`: registering for the first time; `connected`: registered, others can reach us;
 * `reconnecting`: the server was lost (calls in progress go on peer to peer) and registration is
 * being retried; `disconnected`: not registered and not trying.
 */
export type SignallingState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** What a signalling transport tells the call logic. User ids only: peer ids stay inside the transport. */
export interface SignallingHandlers {
  /** A payload another user relayed to us; untrusted, not yet validated. The sender's id is the server's word. */
  onMessage(fromUserId: string, payload: unknown): void;
  /** The server says this user is not connected to it. */
  onUnreachable(userId: string): void;
  onStateChange(state: SignallingState): void;
  /** A failure of the transport itself (an outage, once; our identity taken elsewhere). */
  onError(error: CallError): void;
}

/**
 * First contact between users: registration under the local user's identity and relaying small
 * payloads to other users until (and besides) a direct connection carries them. The call logic
 * depends on this interface only, so that another transport (a host app's own realtime channel)
 * can replace PeerJS.
 */
export interface SignallingTransport {
  readonly state: SignallingState;
  /** Registers; rejects with a CallError (`server-unreachable`, `identity-in-use`) when it cannot. */
  connect(): Promise<void>;
  /** Relays a JSON-serialisable payload to a user; false when it cannot be sent right now. */
  send(toUserId: string, payload: object): boolean;
  /** Gives the registration up for a while (a page in the back/forward cache), keeping the transport. */
  suspend(): void;
  resume(): void;
  close(): void;
}

export interface SignallingConfig {
  userId: string;
  /** `token`: the host app's credential for this user, checked by the server (see meshcall/server). */
  server: { host: string; port: number; path: string; secure: boolean; key: string; token?: string };
  namespace: string;
  connectTimeout: number;
}

export type SignallingFactory = (config: SignallingConfig, handlers: SignallingHandlers) => SignallingTransport;

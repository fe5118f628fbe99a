import { peerServer, type PeerServerInfo } from './peer-server.js';

/**
 * Someone who speaks to the signalling server directly, over a raw WebSocket, as PeerJS would:
 * registered under a peer id of its choosing, it relays whatever it likes to meshcall users and
 * records every meshcall payload it is sent. No PeerJS stands between it and the server.
 */
export interface Stranger {
  readonly peerId: string;
  readonly userId: string;
  /** meshcall payloads relayed to it, in order, with the peer id the server says sent each. */
  readonly received: { from: string; payload: unknown }[];
  /** Relays `payload` to a user of the `meshcall` namespace, marked as a meshcall payload. */
  relay(toUserId: string, payload: unknown): void;
  /** Relays text as the payload, spliced in unparsed (a frame the server cannot read if it is not JSON). */
  relayText(toUserId: string, payload: string): void;
  /** Sends a frame as it is (text or binary), whatever it contains. */
  sendRaw(frame: string | ArrayBuffer): void;
  close(): void;
}

export function peerIdOf(userId: string): string {
  return `meshcall-u-${userId}`;
}

export async function connectStranger(userId: string, server?: PeerServerInfo, token = 'stranger-token'): Promise<Stranger> {
  const { host, port, path } = server ?? (await peerServer());
  const peerId = peerIdOf(userId);
  const socket = new WebSocket(`ws://${host}:${port}${path}/peerjs?key=peerjs&id=${peerId}&token=${encodeURIComponent(token)}&version=1.5.5`);
  const received: { from: string; payload: unknown }[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data as string) as { type: string; src?: string; payload?: { meshcall?: unknown } };
      if (message.type === 'OPEN') resolve();
      else if (message.type === 'ERROR' || message.type === 'ID-TAKEN') reject(new Error(`registration refused: ${event.data}`));
      else if (message.type === 'CANDIDATE' && message.payload && 'meshcall' in message.payload) received.push({ from: message.src ?? '', payload: message.payload.meshcall });
    };
    socket.onerror = () => reject(new Error('the WebSocket failed'));
  });
  return {
    peerId,
    userId,
    received,
    relay(toUserId, payload) {
      socket.send(JSON.stringify({ type: 'CANDIDATE', dst: peerIdOf(toUserId), payload: { meshcall: payload } }));
    },
    relayText(toUserId, payload) {
      socket.send(`{"type":"CANDIDATE","dst":${JSON.stringify(peerIdOf(toUserId))},"payload":{"meshcall":${payload}}}`);
    },
    sendRaw(frame) {
      socket.send(frame);
    },
    close() {
      socket.close();
    },
  };
}

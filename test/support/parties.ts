import { waitUntil } from '@open-wc/testing';
import { Peer } from 'peerjs';
import { CallController, type CallControllerEventMap, type ConnectOptions } from '../../src/controller/index.js';
import { peerServer } from './peer-server.js';

/** Controllers created by {@link connectParty}, disconnected by {@link disconnectAll}. */
const parties: CallController[] = [];

/**
 * A connected controller for one user. Ids get a random suffix: Chromium and Firefox run the same
 * tests at once against one PeerServer.
 */
export async function connectParty(name: string, options: Partial<ConnectOptions> = {}): Promise<CallController> {
  const controller = new CallController();
  const server = await peerServer();
  const id = `${name}${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await controller.connect({ user: { id, name }, server, iceServers: [], ...options });
  parties.push(controller);
  return controller;
}

export async function disconnectAll(): Promise<void> {
  await Promise.all(parties.splice(0).map((controller) => controller.disconnect()));
}

export function idOf(controller: CallController): string {
  return controller.user!.id;
}

/** Resolves with the next event of that type the controller dispatches. */
export function nextEvent<K extends keyof CallControllerEventMap>(
  controller: CallController,
  type: K,
  filter: (event: CallControllerEventMap[K]) => boolean = () => true,
): Promise<CallControllerEventMap[K]> {
  return new Promise((resolve) => {
    const listener = (event: CallControllerEventMap[K]) => {
      if (!filter(event)) return;
      controller.removeEventListener(type, listener);
      resolve(event);
    };
    controller.addEventListener(type, listener);
  });
}

/** The stream `viewer` receives from `sender`, once it has one. */
export async function remoteStream(viewer: CallController, sender: CallController, timeout = 10000): Promise<MediaStream> {
  let stream: MediaStream | null | undefined;
  await waitUntil(
    () => (stream = viewer.call?.participants.get(idOf(sender))?.stream),
    `${viewer.user?.name} got no stream from ${sender.user?.name}`,
    { timeout },
  );
  return stream!;
}

/** Rings `callees` from `caller` and has each accept; resolves once everyone is active. */
export async function establishCall(
  caller: CallController,
  callees: CallController[],
  { video = true, conversationId = 'test-conversation' } = {},
): Promise<void> {
  const rings = callees.map((callee) => nextEvent(callee, 'call-incoming'));
  await caller.startCall({ conversationId, participants: callees.map(idOf), video });
  await Promise.all(rings);
  await Promise.all(callees.map((callee) => callee.accept()));
  await waitUntil(() => caller.state === 'active', 'caller never became active', { timeout: 10000 });
}

interface PeerJsConnection {
  peer: string;
  close(): void;
}

/**
 * Records every PeerJS connection with the peer id of its owner, so a test can cut the link
 * between two parties as a network failure would, without a goodbye.
 */
export function recordPeerJsConnections(): { cut(from: CallController, to: CallController): number; restore(): void } {
  const prototype = Peer.prototype as unknown as { _addConnection(peerId: string, connection: PeerJsConnection): void };
  const original = prototype._addConnection;
  const owned: Array<{ owner: string; connection: PeerJsConnection }> = [];
  prototype._addConnection = function (this: Peer, peerId: string, connection: PeerJsConnection) {
    owned.push({ owner: this.id, connection });
    return original.call(this, peerId, connection);
  };
  const peerIdOf = (controller: CallController) => `meshcall-u-${idOf(controller)}`;
  return {
    cut(from, to) {
      const cut = owned.filter(({ owner, connection }) => owner === peerIdOf(from) && connection.peer === peerIdOf(to));
      for (const { connection } of cut) connection.close();
      return cut.length;
    },
    restore() {
      prototype._addConnection = original;
    },
  };
}

import { waitUntil } from '@open-wc/testing';
import { CallController, type CallControllerEventMap, type ConnectOptions } from '../../src/controller/index.js';
import { peerServer } from './peer-server.js';

/**
 * Every party of a test shares one page, so a 4-person call encodes and decodes 12 streams in one
 * renderer, beside the other browser's tests on the same two cores: a small camera keeps the tests
 * about the call rather than about the machine's capacity.
 */
const TEST_MEDIA = { video: { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } } };

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
  await controller.connect({ user: { id, name }, server, iceServers: [], media: TEST_MEDIA, ...options });
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

/**
 * Records the data channel of every RTCPeerConnection, so a test can cut the link between two
 * parties as a network failure would, without a goodbye: closing one side's control channel closes
 * the other's too, and neither was told anything by the call.
 */
export function recordLinks(): {
  cut(from: CallController, to: CallController): boolean;
  /** The control channel `from` has to `to` (to send on it what `from` never would). */
  channelOf(from: CallController, to: CallController): RTCDataChannel | null;
  /**
   * A cut that repair cannot mend: every connection between the two, the fresh ones too, has its
   * control channel closed as soon as it appears, until the returned function is called. Counts
   * the connections `a` made or took to `b` meanwhile.
   */
  sever(a: CallController, b: CallController): { stop(): void; connections: Set<RTCPeerConnection> };
  restore(): void;
} {
  const prototype = RTCPeerConnection.prototype;
  const original = prototype.createDataChannel;
  const channels = new WeakMap<RTCPeerConnection, RTCDataChannel[]>();
  prototype.createDataChannel = function (this: RTCPeerConnection, label: string, init?: RTCDataChannelInit) {
    const channel = original.call(this, label, init);
    channels.set(this, [...(channels.get(this) ?? []), channel]);
    return channel;
  };
  return {
    cut(from, to) {
      const connection = from.connectionOf(idOf(to));
      const cut = connection ? (channels.get(connection) ?? []) : [];
      for (const channel of cut) channel.close();
      return cut.length > 0;
    },
    sever(a, b) {
      const connections = new Set<RTCPeerConnection>();
      const pairs: [CallController, string][] = [
        [a, idOf(b)],
        [b, idOf(a)],
      ];
      const cutBoth = () => {
        for (const [from, to] of pairs) {
          const connection = from.connectionOf(to);
          const open = connection ? (channels.get(connection) ?? []).filter((channel) => channel.readyState !== 'closed') : [];
          if (connection && from === a) connections.add(connection);
          for (const channel of open) channel.close();
        }
      };
      cutBoth();
      const timer = setInterval(cutBoth, 50);
      return { stop: () => clearInterval(timer), connections };
    },
    channelOf(from, to) {
      const connection = from.connectionOf(idOf(to));
      return (connection && channels.get(connection)?.find((channel) => channel.label === 'meshcall')) ?? null;
    },
    restore() {
      prototype.createDataChannel = original;
    },
  };
}

import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { CallController } from '../src/controller/index.js';
import { exceedsJsonDepth } from '../src/controller/json-depth.js';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_DEPTH, parseMessageText, parsePeerMessage } from '../src/controller/protocol.js';
import { junkMessages, type Junk } from './support/fuzz.js';
import { waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, recordLinks, remoteStream } from './support/parties.js';
import type { PeerServerInfo } from './support/peer-server.js';
import { connectStranger, type Stranger } from './support/stranger.js';

/**
 * Times every `onmessage` handler set from now on, on data channels and WebSockets: meshcall's
 * (PeerLink's, and the signalling transport's guard in front of PeerJS). Per handler, the figure is
 * what meshcall's own code costs a message, which a loaded machine hardly changes.
 */
function timeMessageHandlers() {
  const restores: (() => void)[] = [];
  let slowest = 0;
  let handled = 0;
  const durations: number[] = [];
  const slow: string[] = [];
  for (const prototype of [RTCDataChannel.prototype, WebSocket.prototype]) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, 'onmessage')!;
    Object.defineProperty(prototype, 'onmessage', {
      ...descriptor,
      set(this: EventTarget, handler: ((event: MessageEvent) => void) | null) {
        const timed = handler
          ? function (this: EventTarget, event: MessageEvent) {
              const start = performance.now();
              try {
                handler.call(this, event);
              } finally {
                handled += 1;
                const took = performance.now() - start;
                durations.push(took);
                if (took > 20 && slow.length < 10) {
                  const data: unknown = event.data;
                  slow.push(`${took.toFixed(0)} ms: ${typeof data === 'string' ? `${data.length} chars ${data.slice(0, 30)}` : 'binary'}`);
                }
                slowest = Math.max(slowest, took);
              }
            }
          : null;
        descriptor.set!.call(this, timed);
      },
    });
    restores.push(() => Object.defineProperty(prototype, 'onmessage', descriptor));
  }
  return {
    get slowest() {
      return slowest;
    },
    get handled() {
      return handled;
    },
    percentile(p: number) {
      const sorted = [...durations].sort((a, b) => a - b);
      return sorted[Math.floor((sorted.length - 1) * p)] ?? 0;
    },
    slow,
    countOver: (ms: number) => durations.filter((duration) => duration > ms).length,
    restore: () => restores.forEach((restore) => restore()),
  };
}

/** What the page went through while a test ran: uncaught errors, the longest stall of its main thread. */
function watchPage() {
  const errors: string[] = [];
  const onError = (event: ErrorEvent) => errors.push(`error: ${event.message}`);
  const onRejection = (event: PromiseRejectionEvent) => errors.push(`unhandledrejection: ${String(event.reason)}`);
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  const longTasks: number[] = [];
  const observer = PerformanceObserver.supportedEntryTypes.includes('longtask')
    ? new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((entry) => entry.duration)))
    : null;
  observer?.observe({ type: 'longtask' });
  // Firefox has no long-task entries: the lag of a 5 ms timer measures the same stalls.
  let maxLag = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 5);
    last = now;
    if (running) setTimeout(tick, 5);
  };
  setTimeout(tick, 5);
  return {
    errors,
    longTasks,
    get maxLag() {
      return maxLag;
    },
    stop() {
      running = false;
      observer?.disconnect();
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onRejection);
    },
  };
}

function protocolErrorsBySender(controller: CallController): Map<string, number> {
  const counts = new Map<string, number>();
  controller.addEventListener('call-error', (event) => {
    if (event.error.type === 'protocol-error') counts.set(event.error.userId ?? '?', (counts.get(event.error.userId ?? '?') ?? 0) + 1);
  });
  return counts;
}

async function framesDecoded(viewer: CallController, sender: CallController): Promise<number> {
  const stats = await viewer.connectionOf(idOf(sender))!.getStats();
  let frames = 0;
  stats.forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
  });
  return frames;
}

/** Sends in small batches, each its own task, so that the sending never stalls the page itself. */
async function sendInBatches(junk: Junk[], send: (message: Junk) => void, backlog: () => number = () => 0): Promise<void> {
  for (let i = 0; i < junk.length; i += 25) {
    while (backlog() > 2_000_000) await aTimeout(20);
    for (const message of junk.slice(i, i + 25)) send(message);
    await aTimeout(0);
  }
}

describe('hostile input gets nothing', () => {
  afterEach(disconnectAll);

  it('drops thousands of random, malformed, oversized and binary messages without a throw or a stall', () => {
    const junk = junkMessages(20000, 7, { callId: 'c1', maxBytes: MAX_MESSAGE_BYTES });
    const start = performance.now();
    let slowest = 0;
    let slowestKind = '';
    const durations: number[] = [];
    for (const message of junk) {
      const begun = performance.now();
      const taken = parseMessageText(message);
      // The relay path: the transport drops deep frames before PeerJS parses them.
      if (typeof message === 'string' && message.length < MAX_MESSAGE_BYTES && !exceedsJsonDepth(message, MAX_MESSAGE_DEPTH + 2)) {
        let data: unknown = null;
        try {
          data = JSON.parse(message);
        } catch {
          // Not JSON: the relay path never sees it (the server parses frames).
        }
        expect(parsePeerMessage(data)?.type ?? 'signal').to.equal('signal');
      }
      expect(taken === null || taken.type === 'signal', 'only signals for nothing are well-formed').to.equal(true);
      const took = performance.now() - begun;
      durations.push(took);
      if (took > slowest) {
        slowest = took;
        slowestKind = typeof message === 'string' ? `${message.length} characters: ${message.slice(0, 24)}…` : `${message.byteLength} bytes`;
      }
    }
    const total = performance.now() - start;
    durations.sort((a, b) => a - b);
    const p99 = durations[Math.floor(durations.length * 0.99)];
    console.log(`fuzz: ${junk.length} messages validated in ${total.toFixed(0)} ms, p99 ${p99.toFixed(2)} ms, slowest ${slowest.toFixed(1)} ms (${slowestKind})`);
    // As in the live test below: the distribution is meshcall's; a lone outlier is the machine's.
    expect(p99, '99th percentile, ms').to.be.below(5);
    expect(durations.filter((duration) => duration > 50).length, 'messages over 50 ms').to.be.at.most(junk.length / 1000);
  });

  it('keeps a live call going through a flood on its control channel and through the signalling server', async function () {
    this.timeout(60000);
    const links = recordLinks();
    const handlers = timeMessageHandlers();
    const strangers: Stranger[] = [];
    try {
      // Through meshcall/server, as a deployment would: a bare PeerServer closes a user's socket when
      // it cannot re-serialise a deeply nested frame meant for them.
      const server = (await (await fetch('/__checked-peer-server', { cache: 'no-store' })).json()) as PeerServerInfo;
      const party = (name: string) => {
        const id = `${name}${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
        return connectParty(name, { user: { id, name }, server: { ...server, token: `token-for:${id}` } });
      };
      const alice = await party('alice');
      const bob = await party('bob');
      await establishCall(alice, [bob], { video: true });
      await waitForDecodedFrames(await remoteStream(bob, alice));
      await waitForDecodedFrames(await remoteStream(alice, bob));
      const callId = bob.call!.id;
      const channel = links.channelOf(alice, bob)!;
      expect(channel?.readyState).to.equal('open');
      const errorsAtBob = protocolErrorsBySender(bob);
      const errorsAtAlice = protocolErrorsBySender(alice);
      const strangerId = `fuzzer${crypto.randomUUID().slice(0, 8)}`;
      const stranger = await connectStranger(strangerId, server, `token-for:${strangerId}`);
      strangers.push(stranger);
      const maxBytes = Math.min((alice.connectionOf(idOf(bob))!.sctp?.maxMessageSize ?? 262144) - 1024, 4 * MAX_MESSAGE_BYTES);
      const overChannel = junkMessages(3000, 1, { callId, maxBytes });
      // Above what meshcall takes, below what meshcall/server lets through (a larger frame closes the sender's socket).
      const overServer = junkMessages(2000, 2, { callId, maxBytes: MAX_MESSAGE_BYTES + 16 * 1024 });
      const heapBefore = (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
      const framesBefore = await framesDecoded(bob, alice);
      const handledBefore = handlers.handled;
      const page = watchPage();

      // Over alice's control channel to bob: 3000 messages, as a hostile member would send them.
      await sendInBatches(
        overChannel,
        (message) => channel.send(message as string),
        () => channel.bufferedAmount,
      );
      // Through the signalling server, to both: 2000 relayed payloads of every kind, and raw frames
      // the server itself cannot read.
      let index = 0;
      await sendInBatches(overServer, (message) => {
        index += 1;
        if (typeof message !== 'string') {
          stranger.sendRaw(message);
          return;
        }
        const to = idOf(index % 2 ? bob : alice);
        if (index % 10 === 0) stranger.sendRaw(message);
        // Text that is not JSON goes as a string payload; the rest as it is, unparsed.
        if (index % 3 === 0) stranger.relay(to, message);
        else stranger.relayText(to, message);
      });
      await waitUntil(() => channel.bufferedAmount === 0, 'the channel never drained', { timeout: 20000 });
      await aTimeout(1500);
      page.stop();

      const framesAfter = await framesDecoded(bob, alice);
      const heapAfter = (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
      console.log(
        `fuzz: ${overChannel.length} over the channel, ${overServer.length} through the server; frames decoded meanwhile ${framesAfter - framesBefore}; ` +
          `${handlers.handled - handledBefore} messages handled, slowest handler ${handlers.slowest.toFixed(1)} ms, p99 ${handlers.percentile(0.99).toFixed(2)} ms, median ${handlers.percentile(0.5).toFixed(3)} ms ${JSON.stringify(handlers.slow)}; ` +
          `long tasks ${JSON.stringify(page.longTasks.map(Math.round))}, max timer lag ${page.maxLag.toFixed(0)} ms (load included); ` +
          `buffered bob ${bob.bufferedMessageCount}, alice ${alice.bufferedMessageCount}; ` +
          `heap ${heapBefore !== undefined ? `${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter! / 1e6).toFixed(1)} MB` : 'n/a'}; ` +
          `signalling bob ${bob.signallingState}, alice ${alice.signallingState}; protocol errors at bob ${JSON.stringify([...errorsAtBob])}, at alice ${JSON.stringify([...errorsAtAlice])}`,
      );
      expect(page.errors, 'uncaught errors').to.deep.equal([]);
      expect(handlers.handled - handledBefore, 'messages that reached a handler').to.be.above(2000);
      // Wall-clock figures on 2 cores shared with other test runs: a handler that is descheduled or
      // meets a GC pause can measure 100 ms however little it does (a 16-character rejection did).
      // What meshcall's code costs shows in the distribution, so that is asserted: nearly every
      // message handled in well under a millisecond, and a stall over 50 ms a rare outlier. Long
      // tasks and timer lag are printed above; they include the machine's load.
      expect(handlers.percentile(0.99), 'the 99th percentile of message handlers, ms').to.be.below(5);
      expect(handlers.countOver(50), 'message handlers over 50 ms').to.be.at.most(Math.ceil((handlers.handled - handledBefore) / 1000));
      // Media keeps flowing: the frame count goes on rising (on a loaded machine it may lag behind the flood).
      let framesNow = framesAfter;
      await waitUntil(async () => (framesNow = await framesDecoded(bob, alice)) > framesBefore + 10, `frames decoded since the flood began: ${framesNow - framesBefore}`, {
        timeout: 10000,
        interval: 250,
      });
      for (const counts of [errorsAtBob, errorsAtAlice]) {
        for (const [sender, count] of counts) expect(count, `protocol errors from ${sender}`).to.equal(1);
      }
      expect(errorsAtBob.get(idOf(alice)), 'the channel flood was reported').to.equal(1);
      expect(errorsAtBob.get(stranger.userId), 'the relay flood was reported').to.equal(1);
      expect(bob.bufferedMessageCount, 'messages bob keeps').to.equal(0);
      expect(alice.bufferedMessageCount, 'messages alice keeps').to.equal(0);
      expect(bob.state).to.equal('active');
      expect([bob.signallingState, alice.signallingState], 'registrations').to.deep.equal(['connected', 'connected']);
      expect(alice.call?.participants.get(idOf(bob))?.state).to.equal('connected');
      expect(stranger.received, 'what the stranger got back').to.deep.equal([]);

      // The call still ends as it should.
      const ended = new Promise<void>((resolve) => alice.addEventListener('call-ended', () => resolve(), { once: true }));
      await bob.hangUp();
      await ended;
      await bob.disconnect();
      expect(bob.state).to.equal('disconnected');
      await waitUntil(() => alice.state === 'idle', 'alice never went idle');
    } finally {
      for (const stranger of strangers) stranger.close();
      links.restore();
      handlers.restore();
    }
  });
});

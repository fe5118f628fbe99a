import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { CallController } from '../src/controller/index.js';
import { waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';
import { canvasScreen } from './support/screen.js';

/**
 * Counts the listeners registered on window and document that are still registered, by wrapping
 * both targets' addEventListener and removeEventListener (the library's bare `addEventListener(...)`
 * calls resolve to window's). A registration is its type, listener and capture flag, as the DOM
 * keys it; `once` listeners that fired are not seen to go, so they are left out.
 */
function countGlobalListeners(): { live(): string[]; restore(): void } {
  const registrations = new Map<EventTarget, Map<string, Set<EventListenerOrEventListenerObject>>>();
  const restorers: Array<() => void> = [];
  const captureOf = (options?: boolean | EventListenerOptions) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
  for (const target of [window, document] as EventTarget[]) {
    const add = target.addEventListener;
    const remove = target.removeEventListener;
    const byKey = new Map<string, Set<EventListenerOrEventListenerObject>>();
    registrations.set(target, byKey);
    target.addEventListener = function (this: EventTarget, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) {
      if (listener && !(typeof options === 'object' && (options.once || options.signal))) {
        const key = `${type}:${captureOf(options)}`;
        byKey.set(key, (byKey.get(key) ?? new Set()).add(listener));
      }
      add.call(this, type, listener, options);
    };
    target.removeEventListener = function (this: EventTarget, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions) {
      if (listener) byKey.get(`${type}:${captureOf(options)}`)?.delete(listener);
      remove.call(this, type, listener, options);
    };
    restorers.push(() => {
      target.addEventListener = add;
      target.removeEventListener = remove;
    });
  }
  return {
    live: () =>
      [...registrations].flatMap(([target, byKey]) =>
        [...byKey].flatMap(([key, listeners]) => [...listeners].map(() => `${target === window ? 'window' : 'document'}:${key}`)),
      ),
    restore: () => restorers.forEach((restore) => restore()),
  };
}

/** Chromium's JS heap in bytes (after a collection where the browser allows one); null in Firefox. */
async function usedHeap(): Promise<number | null> {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  if (!memory) return null;
  const gc = (window as Window & { gc?: () => void }).gc;
  if (gc) gc();
  else await new Promise((resolve) => setTimeout(resolve, 200));
  return memory.usedJSHeapSize;
}

const CYCLES = 50;
/**
 * No faster than a person could call: a Firefox call set-up sends about 25 signalling messages per
 * side (21 host candidates here), and the relay takes 50 a second from each sender (a burst of 200
 * first, then the rest is dropped as a flood). Unpaced, Firefox managed a cycle in 90 ms and the 20th
 * call's `accept` was dropped.
 */
const CYCLE_PACE_MS = 400;
const MEGABYTE = 1024 * 1024;

describe('no leaks over many calls', () => {
  let ledger: ResourceLedger;
  let listeners: ReturnType<typeof countGlobalListeners>;

  beforeEach(() => {
    listeners = countGlobalListeners();
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    ledger.restore();
    listeners.restore();
  });

  it(`releases every track, connection, data channel, listener and audio element over ${CYCLES} call/hang-up cycles`, async function () {
    this.timeout(120000);
    const before = listeners.live().length;
    // A canvas screen in both browsers: the same track source each time, counted by the ledger.
    const alice = await connectParty('alice', { displayMedia: async () => canvasScreen('Leak test') });
    const bob = await connectParty('bob');
    const connected = listeners.live().length;
    expect(connected, 'the wrapper sees the controllers register').to.be.greaterThan(before);
    const audioElements = new Set<HTMLAudioElement>();
    let screenTrack: MediaStreamTrack | null = null;
    const errors: string[] = [];
    for (const party of [alice, bob]) party.addEventListener('call-error', (event) => errors.push(`${party.user?.name}: ${event.error.type}`));
    let heapAtStart: number | null = null;
    const started = performance.now();
    let sharedScreens = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const cycleStarted = performance.now();
      const video = cycle % 10 === 0;
      const [caller, callee]: CallController[] = cycle % 2 === 0 ? [alice, bob] : [bob, alice];
      await establishCall(caller, [callee], { video, conversationId: `cycle-${cycle}` }).catch((error: Error) => {
        const link = caller.connectionOf(idOf(callee));
        throw new Error(
          `cycle ${cycle}: ${error.message} (caller ${caller.state}, callee ${callee.state}, ` +
            `connection ${link?.connectionState ?? 'none'}/${link?.iceConnectionState ?? ''}/${link?.signalingState ?? ''})`,
        );
      });
      // Each side plays the other's voice through its own audio element.
      await waitUntil(
        () => alice.audioElements.has(idOf(bob)) && bob.audioElements.has(idOf(alice)),
        `cycle ${cycle}: no audio element`,
        { timeout: 10000 },
      );
      for (const party of [alice, bob]) party.audioElements.forEach((element) => audioElements.add(element));
      if (video) await waitForDecodedFrames(await remoteStream(callee, caller));
      if (cycle === 25) {
        await alice.setScreenShareEnabled(true);
        screenTrack = alice.call!.local.screenStream!.getVideoTracks()[0];
        await waitUntil(() => bob.call?.participants.get(idOf(alice))?.screenStream, 'bob never got the screen', { timeout: 10000 });
        await waitForDecodedFrames(bob.call!.participants.get(idOf(alice))!.screenStream!);
        sharedScreens += 1;
        // Hung up while sharing: the screen goes with the call.
      }
      await (cycle % 3 === 0 ? callee : caller).hangUp();
      await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', `cycle ${cycle}: still in the call`, { timeout: 5000 });
      if (cycle === 4) heapAtStart = await usedHeap();
      await aTimeout(Math.max(0, CYCLE_PACE_MS - (performance.now() - cycleStarted)));
    }
    const elapsed = performance.now() - started;

    await waitUntil(
      () => ledger.liveTracks().length === 0 && ledger.openConnections().length === 0 && ledger.openChannels().length === 0,
      '',
      { timeout: 5000 },
    ).catch(() => undefined);
    expect(sharedScreens).to.equal(1);
    expect(errors, 'call-error events').to.deep.equal([]);
    expect(ledger.connections.length, 'peer connections made').to.equal(2 * CYCLES);
    expect(ledger.liveTracks().map((track) => `${track.kind}:${track.label}`), 'live tracks').to.deep.equal([]);
    expect(ledger.openConnections().length, 'peer connections not closed').to.equal(0);
    expect(ledger.connections.every((connection) => connection.connectionState === 'closed'), 'every connection closed').to.equal(true);
    expect(ledger.channels.length, 'data channels seen').to.be.at.least(2 * CYCLES);
    expect(ledger.openChannels().map((channel) => `${channel.label}:${channel.readyState}`), 'open data channels').to.deep.equal([]);
    expect(ledger.tracks, 'the screen was counted').to.include(screenTrack);
    expect(screenTrack!.readyState, 'the screen track').to.equal('ended');
    // Every element that played a voice let go of it and stays out of the document: nothing holds it.
    expect(audioElements.size, 'audio elements seen').to.be.at.least(2);
    for (const element of audioElements) {
      expect(element.srcObject, 'an audio element still holds a stream').to.equal(null);
      expect(element.isConnected, 'an audio element is in the document').to.equal(false);
    }
    expect(alice.audioElements.size, "alice's audio elements").to.equal(0);
    expect(bob.audioElements.size, "bob's audio elements").to.equal(0);
    expect(listeners.live().length, `listeners on window/document after the calls (${listeners.live().join(', ')})`).to.equal(connected);

    const heapAtEnd = await usedHeap();
    if (heapAtStart !== null && heapAtEnd !== null) {
      const growth = (heapAtEnd - heapAtStart) / MEGABYTE;
      console.log(
        `leaks: ${CYCLES} cycles in ${(elapsed / 1000).toFixed(1)} s; JS heap ${(heapAtStart / MEGABYTE).toFixed(1)} MB after cycle 5, ` +
          `${(heapAtEnd / MEGABYTE).toFixed(1)} MB after ${CYCLES} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB, gc ${'gc' in window ? 'forced' : 'not exposed'})`,
      );
      expect(growth, 'JS heap growth in MB').to.be.lessThan(20);
    } else {
      console.log(`leaks: ${CYCLES} cycles in ${(elapsed / 1000).toFixed(1)} s (no performance.memory in this browser)`);
    }

    await disconnectAll();
    expect(listeners.live(), 'listeners on window/document after disconnecting').to.have.length(before);
  });
});

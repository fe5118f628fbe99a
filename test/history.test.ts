import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/define.js';
import {
  CallController,
  type CallHistoryAddEvent,
  type CallHistoryEntry,
  type CallHistoryMissedChangeEvent,
} from '../src/controller/index.js';
import { CallHistoryList, type CallHistoryCallbackEvent } from '../src/elements/call-history/call-history.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent } from './support/parties.js';

/** The entry the call now ending adds to this party's history. */
function nextEntry(controller: CallController): Promise<CallHistoryEntry> {
  return nextEvent(controller, 'call-history-add').then((event: CallHistoryAddEvent) => event.entry);
}

/** The people of an entry, by id. */
const idsOf = (people: readonly { id: string }[]) => people.map((person) => person.id);

/**
 * A new controller for a user who just disconnected, as a reloaded page makes: the server may not
 * have seen the old socket close yet, so `identity-in-use` is retried for a moment.
 */
async function reconnectAs(user: { id: string; name: string }): Promise<CallController> {
  const deadline = performance.now() + 3000;
  for (;;) {
    try {
      return await connectParty(user.name, { user });
    } catch (error) {
      if ((error as { type?: string }).type !== 'identity-in-use' || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('call history, with real controllers over a real PeerServer', () => {
  afterEach(disconnectAll);

  it('records a completed call on both sides, with who joined and how long it lasted', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob], { video: true, conversationId: 'dm-ab' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const [aliceEntry, bobEntry] = [nextEntry(alice), nextEntry(bob)];
    await alice.hangUp();
    const [mine, theirs] = await Promise.all([aliceEntry, bobEntry]);

    expect(mine).to.include({ conversationId: 'dm-ab', direction: 'outgoing', video: true, outcome: 'completed', endReason: 'hangup' });
    expect(mine.caller.id).to.equal(idOf(alice));
    expect(idsOf(mine.participants)).to.deep.equal([idOf(bob)]);
    expect(idsOf(mine.joined)).to.deep.equal([idOf(bob)]);
    expect(mine.duration).to.be.greaterThan(500);

    expect(theirs).to.include({ conversationId: 'dm-ab', direction: 'incoming', video: true, outcome: 'completed', endReason: 'remote-hangup' });
    expect(theirs.caller).to.deep.equal({ id: idOf(alice), name: 'alice' });
    expect(idsOf(theirs.joined)).to.deep.equal([idOf(alice)]);
    expect(theirs.duration).to.be.greaterThan(500);
    expect(theirs.startedAt).to.be.at.most(theirs.answeredAt!);

    expect(await alice.history.list()).to.deep.equal([mine]);
    expect(await bob.history.list({ conversationId: 'dm-ab' })).to.deep.equal([theirs]);
    expect(await bob.history.list({ conversationId: 'elsewhere' })).to.deep.equal([]);
  });

  it('records a missed call for the callee (counted until seen) and no answer for the caller', async () => {
    const alice = await connectParty('alice', { ringTimeout: 1500 });
    const bob = await connectParty('bob');
    const counts: number[] = [];
    bob.addEventListener('call-history-missed-change', (event: CallHistoryMissedChangeEvent) => counts.push(event.count));
    const [aliceEntry, bobEntry] = [nextEntry(alice), nextEntry(bob)];
    await alice.startCall({ conversationId: 'dm-ab', participants: [idOf(bob)] });
    const [mine, theirs] = await Promise.all([aliceEntry, bobEntry]);

    expect(mine).to.include({ direction: 'outgoing', outcome: 'no-answer', duration: 0, answeredAt: null, seen: true });
    expect(idsOf(mine.joined)).to.deep.equal([]);
    expect(theirs).to.include({ direction: 'incoming', outcome: 'missed', endReason: 'missed', seen: false });
    expect(theirs.caller.id).to.equal(idOf(alice));
    expect(bob.history.missedCount).to.equal(1);
    expect(bob.history.missedCountOf('dm-ab')).to.equal(1);
    expect(counts).to.deep.equal([1]);

    await bob.history.markSeen('dm-ab');
    expect(bob.history.missedCount).to.equal(0);
    expect(counts).to.deep.equal([1, 0]);
    expect((await bob.history.list())[0].seen).to.equal(true);
  });

  it('records a declined call on both sides', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const ring = nextEvent(bob, 'call-incoming');
    const [aliceEntry, bobEntry] = [nextEntry(alice), nextEntry(bob)];
    await alice.startCall({ conversationId: 'dm-ab', participants: [idOf(bob)] });
    await ring;
    await bob.decline();
    const [mine, theirs] = await Promise.all([aliceEntry, bobEntry]);
    expect(mine).to.include({ direction: 'outgoing', outcome: 'declined' });
    expect(theirs).to.include({ direction: 'incoming', outcome: 'declined', seen: true });
    expect(bob.history.missedCount, 'declining is no missed call').to.equal(0);
  });

  it('records a cancelled call for the caller, and a missed one for the callee', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const ring = nextEvent(bob, 'call-incoming');
    const [aliceEntry, bobEntry] = [nextEntry(alice), nextEntry(bob)];
    await alice.startCall({ conversationId: 'dm-ab', participants: [idOf(bob)], video: true });
    await ring;
    await alice.hangUp();
    const [mine, theirs] = await Promise.all([aliceEntry, bobEntry]);
    expect(mine).to.include({ outcome: 'cancelled', video: true });
    expect(theirs).to.include({ outcome: 'missed', video: true, seen: false });
  });

  it('records busy when the callee is in another call', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(bob, [carol], { video: false });
    const aliceEntry = nextEntry(alice);
    const bobEntry = nextEntry(bob);
    const waiting = nextEvent(bob, 'call-waiting');
    await alice.startCall({ conversationId: 'dm-ab', participants: [idOf(bob)] });
    await waiting;
    await bob.declineWaiting();
    const mine = await aliceEntry;
    expect(mine).to.include({ outcome: 'busy', endReason: 'busy' });
    expect(idsOf(mine.participants)).to.deep.equal([idOf(bob)]);
    // Bob turned the waiting call down himself; his call with Carol goes on.
    const his = await bobEntry;
    expect(his).to.include({ direction: 'incoming', outcome: 'declined', conversationId: 'dm-ab', seen: true });
    expect(his.caller.id).to.equal(idOf(alice));
    expect(bob.state).to.equal('active');
  });

  it('records a call that waited while the callee was in another one and was never answered as missed', async () => {
    const alice = await connectParty('alice', { ringTimeout: 1500 });
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(bob, [carol], { video: false });
    const bobEntry = nextEntry(bob);
    const waiting = nextEvent(bob, 'call-waiting');
    await alice.startCall({ conversationId: 'dm-ab', participants: [idOf(bob)] });
    await waiting;
    const his = await bobEntry;
    expect(his).to.include({ direction: 'incoming', outcome: 'missed', conversationId: 'dm-ab', seen: false });
    await waitUntil(() => bob.history.missedCountOf('dm-ab') === 1, 'the missed waiting call is not counted');
    expect(bob.state).to.equal('active');
  });

  it('records a failure when the callee is not connected, with the error', async () => {
    const alice = await connectParty('alice');
    const aliceEntry = nextEntry(alice);
    await alice.startCall({ conversationId: 'dm-ad', participants: [`dave${crypto.randomUUID().slice(0, 8)}`] });
    const mine = await aliceEntry;
    expect(mine).to.include({ outcome: 'failed', failureReason: 'unavailable', errorType: 'peer-unavailable' });
  });

  it('records a failure when the microphone cannot be started', async () => {
    const alice = await connectParty('alice', { media: { audio: { deviceId: { exact: 'no-such-microphone' } } } });
    const aliceEntry = nextEntry(alice);
    let refused: unknown;
    await alice.startCall({ conversationId: 'dm-ab', participants: ['bob'] }).catch((error) => (refused = error));
    expect(refused).to.have.property('type', 'device-not-found');
    expect(await aliceEntry).to.include({ outcome: 'failed', failureReason: 'error', endReason: 'error' });
  });

  it('records a call that disconnect() ends, and announces it', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob], { video: false });
    const [aliceEntry, bobEntry] = [nextEntry(alice), nextEntry(bob)];
    const user = bob.user!;
    await bob.disconnect();
    expect(await bobEntry).to.include({ outcome: 'completed', endReason: 'hangup' });
    expect(await aliceEntry).to.include({ outcome: 'completed', endReason: 'remote-hangup' });
    const reloaded = await reconnectAs(user);
    expect((await reloaded.history.list()).map((entry) => entry.outcome)).to.deep.equal(['completed']);
  });

  it('keeps the history across a reload: a new controller for the same user reads it', async () => {
    const alice = await connectParty('alice', { ringTimeout: 1500 });
    const bob = await connectParty('bob');
    const missed = nextEntry(bob);
    await alice.startCall({ conversationId: 'dm-ab', participants: [idOf(bob)] });
    const entry = await missed;
    const user = bob.user!;
    await bob.disconnect();
    expect(bob.history.userId).to.equal(null);
    expect(await bob.history.list()).to.deep.equal([]);

    const reloaded = await reconnectAs(user);
    await waitUntil(() => reloaded.history.missedCount === 1, 'the missed count is read back', { timeout: 5000 });
    expect(await reloaded.history.list()).to.deep.equal([entry]);
    expect(reloaded.history.missedCountOf('dm-ab')).to.equal(1);
    const exported = JSON.parse(await reloaded.history.export());
    expect(exported.entries).to.deep.equal([entry]);
    await reloaded.history.clear();
    expect(await reloaded.history.list()).to.deep.equal([]);
    expect(reloaded.history.missedCount).to.equal(0);
  });

  it('closes its IndexedDB connection once the controller disconnects, after storing the last call', async () => {
    const opened: IDBDatabase[] = [];
    const originalOpen = indexedDB.open;
    indexedDB.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
      const request = originalOpen.apply(this, args);
      request.addEventListener('success', () => opened.push(request.result));
      return request;
    };
    try {
      const alice = await connectParty('alice');
      const bob = await connectParty('bob');
      await establishCall(alice, [bob], { video: false });
      await waitUntil(() => opened.length === 2, 'the histories do not open the database');
      const [aliceDatabase] = opened;
      const stored = nextEntry(alice);
      const user = alice.user!;
      await alice.disconnect();
      await stored;
      const isClosed = (database: IDBDatabase) => {
        try {
          database.transaction('call-history').abort();
          return false;
        } catch (error) {
          return (error as DOMException).name === 'InvalidStateError';
        }
      };
      await waitUntil(() => isClosed(aliceDatabase), 'the database stays open after disconnect()', { timeout: 3000 });
      expect(isClosed(opened[1]), "Bob's controller is still connected").to.equal(false);
      const reloaded = await reconnectAs(user);
      expect((await reloaded.history.list()).map((entry) => entry.outcome), 'opened again for the next user').to.deep.equal(['completed']);
    } finally {
      indexedDB.open = originalOpen;
    }
  });

  it("<call-history> shows real entries with the page's names, and its call-back button rings the same people", async () => {
    // Alice calls herself Mallory; Bob's page knows better.
    const alice = await connectParty('Mallory', { ringTimeout: 1500 });
    const bob = await connectParty('bob', { resolveUser: (id) => (id === idOf(alice) ? { name: 'Alice Liddell' } : null) });
    const missed = nextEntry(bob);
    await alice.startCall({ conversationId: 'dm-ab', conversationTitle: 'Alice & Bob', participants: [idOf(bob)], video: true });
    expect((await missed).conversationTitle).to.equal('Alice & Bob');

    const el = await fixture<CallHistoryList>(html`<call-history conversation="dm-ab"></call-history>`);
    el.controller = bob;
    await el.loadComplete;
    const entries = el.shadowRoot!.querySelectorAll('[part="entry"]');
    expect(entries).to.have.length(1);
    expect(entries[0].getAttribute('data-outcome')).to.equal('missed');
    expect(entries[0].hasAttribute('data-unseen')).to.equal(true);
    expect(entries[0].querySelector('[part="people"]')!.textContent, 'the page wins over what a peer says').to.equal('Alice Liddell');
    expect(entries[0].querySelector('[part="callback-button"]')!.getAttribute('aria-label')).to.equal('Video call Alice Liddell back');
    expect(entries[0].querySelector('[part="summary"]')!.textContent).to.contain('Missed video call');
    expect(el.missedCount).to.equal(1);
    expect(el.getAttribute('missed-count')).to.equal('1');

    await bob.history.markSeen('dm-ab');
    await el.loadComplete;
    expect(el.getAttribute('missed-count')).to.equal('0');
    expect(el.shadowRoot!.querySelector('[part="entry"]')!.hasAttribute('data-unseen')).to.equal(false);

    let request: CallHistoryCallbackEvent | undefined;
    el.addEventListener('call-history-callback', (event) => (request = event));
    const ring = nextEvent(alice, 'call-incoming');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part="callback-button"]')!.click();
    expect(request?.entry.conversationId).to.equal('dm-ab');
    const incoming = await ring;
    expect(incoming.call.caller.id).to.equal(idOf(bob));
    expect(incoming.call.conversationId).to.equal('dm-ab');
    expect(incoming.call.video).to.equal(true);
    expect(incoming.call.conversationTitle, 'the call back names the conversation as the first call did').to.equal('Alice & Bob');
    expect(bob.state).to.equal('outgoing');

    // The call back is in the history too, once it ends.
    const next = nextEntry(bob);
    await alice.decline();
    await next;
    await el.loadComplete;
    const outcomes = [...el.shadowRoot!.querySelectorAll('[part="entry"]')].map((entry) => entry.getAttribute('data-outcome'));
    expect(outcomes).to.deep.equal(['declined', 'missed']);
    await expect(el).to.be.accessible();
  });
});

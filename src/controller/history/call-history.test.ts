import { expect, waitUntil } from '@open-wc/testing';
import { CallError } from '../errors.js';
import {
  CallEndedEvent,
  CallErrorEvent,
  CallIncomingEvent,
  CallParticipantJoinedEvent,
  CallParticipantLeftEvent,
  CallStateChangeEvent,
  type CallControllerEventMap,
} from '../events.js';
import { CallRecord, ParticipantRecord, type CallDirection, type CallEndReason, type CallState, type UserInfo } from '../model.js';
import { CallHistory, IndexedDbHistoryStore, MemoryHistoryStore, outcomeOf, type CallHistoryEntry, type HistoryStore } from './call-history.js';

/** A stand-in for the controller: a user, a call, and the events a test dispatches. */
class Host extends EventTarget {
  call: CallRecord | null = null;
  state: CallState = 'disconnected';
  constructor(public user: UserInfo | null = null) {
    super();
  }
  setState(state: CallState): void {
    const previous = this.state;
    this.state = state;
    this.dispatchEvent(new CallStateChangeEvent(state, previous));
  }
  connectAs(user: UserInfo): void {
    this.user = user;
    this.setState('connecting');
    this.setState('idle');
  }
}

/** Records every event of these types that the host dispatches. */
function record<K extends keyof CallControllerEventMap>(host: Host, type: K): Array<CallControllerEventMap[K]> {
  const events: Array<CallControllerEventMap[K]> = [];
  host.addEventListener(type, (event) => events.push(event as CallControllerEventMap[K]));
  return events;
}

const uid = (name: string) => `${name}-${crypto.randomUUID()}`;

function newCall(host: Host, direction: CallDirection, caller: UserInfo, conversationId = 'c1', video = false): CallRecord {
  const self = host.user!;
  const local = new ParticipantRecord(self.id, self.name, true, 'connected');
  return new CallRecord(crypto.randomUUID(), conversationId, direction, video, caller, local);
}

function entry(overrides: Partial<CallHistoryEntry>): CallHistoryEntry {
  return {
    id: crypto.randomUUID(),
    callId: 'call',
    conversationId: 'c1',
    conversationTitle: null,
    direction: 'outgoing',
    video: false,
    caller: { id: 'me', name: 'Me' },
    participants: [],
    joined: [],
    startedAt: 0,
    answeredAt: null,
    endedAt: 0,
    duration: 0,
    outcome: 'cancelled',
    endReason: 'cancelled',
    failureReason: null,
    errorType: null,
    seen: true,
    ...overrides,
  };
}

describe('outcomeOf', () => {
  const cases: Array<[CallDirection, boolean, CallEndReason, string, string | null]> = [
    ['outgoing', true, 'hangup', 'completed', null],
    ['incoming', true, 'remote-hangup', 'completed', null],
    ['incoming', true, 'connection-lost', 'completed', null],
    ['incoming', false, 'missed', 'missed', null],
    ['incoming', false, 'declined', 'declined', null],
    ['outgoing', false, 'declined', 'declined', null],
    ['outgoing', false, 'cancelled', 'cancelled', null],
    ['outgoing', false, 'no-answer', 'no-answer', null],
    ['outgoing', false, 'busy', 'busy', null],
    ['outgoing', false, 'unavailable', 'failed', 'unavailable'],
    ['outgoing', false, 'connection-lost', 'failed', 'connection-lost'],
    ['outgoing', false, 'error', 'failed', 'error'],
  ];
  for (const [direction, answered, reason, outcome, failureReason] of cases) {
    it(`${direction}, ${answered ? 'answered' : 'unanswered'}, ${reason}: ${outcome}`, () => {
      expect(outcomeOf(direction, answered, reason)).to.deep.equal({ outcome, failureReason });
    });
  }
});

const stores: Array<[string, () => HistoryStore]> = [
  ['IndexedDbHistoryStore', () => new IndexedDbHistoryStore()],
  ['MemoryHistoryStore', () => new MemoryHistoryStore()],
];

for (const [name, makeStore] of stores) {
  describe(name, () => {
    it('lists a user’s entries newest first, by conversation, and never another user’s', async () => {
      const store = makeStore();
      const [alice, bob] = [uid('alice'), uid('bob')];
      await store.add(alice, entry({ id: 'a1', endedAt: 1000, conversationId: 'x' }), 10);
      await store.add(alice, entry({ id: 'a3', endedAt: 3000, conversationId: 'y' }), 10);
      await store.add(alice, entry({ id: 'a2', endedAt: 2000, conversationId: 'x' }), 10);
      await store.add(bob, entry({ id: 'b1', endedAt: 1500, conversationId: 'x' }), 10);
      expect((await store.list(alice)).map((e) => e.id)).to.deep.equal(['a3', 'a2', 'a1']);
      expect((await store.list(alice, { conversationId: 'x' })).map((e) => e.id)).to.deep.equal(['a2', 'a1']);
      expect((await store.list(alice, { limit: 1 })).map((e) => e.id)).to.deep.equal(['a3']);
      expect((await store.list(bob)).map((e) => e.id)).to.deep.equal(['b1']);
      expect(await store.list(uid('nobody'))).to.deep.equal([]);
      expect(Object.keys((await store.list(bob))[0])).not.to.include('userId');
    });

    it('keeps at most `limit` entries per user, dropping the oldest', async () => {
      const store = makeStore();
      const [alice, bob] = [uid('alice'), uid('bob')];
      await store.add(bob, entry({ id: 'b', endedAt: 1 }), 2);
      for (let index = 1; index <= 5; index += 1) await store.add(alice, entry({ id: `a${index}`, endedAt: index * 1000 }), 3);
      expect((await store.list(alice)).map((e) => e.id)).to.deep.equal(['a5', 'a4', 'a3']);
      expect((await store.list(bob)).map((e) => e.id)).to.deep.equal(['b']);
    });

    it('removes by conversation, by age and beyond the newest few', async () => {
      const store = makeStore();
      const alice = uid('alice');
      for (let index = 1; index <= 6; index += 1) {
        await store.add(alice, entry({ id: `a${index}`, endedAt: index * 1000, conversationId: index % 2 ? 'odd' : 'even' }), 10);
      }
      expect(await store.remove(alice, { endedBefore: 2500 })).to.equal(2);
      expect((await store.list(alice)).map((e) => e.id)).to.deep.equal(['a6', 'a5', 'a4', 'a3']);
      expect(await store.remove(alice, { keepNewest: 3 })).to.equal(1);
      expect(await store.remove(alice, { conversationId: 'even' })).to.equal(2);
      expect((await store.list(alice)).map((e) => e.id)).to.deep.equal(['a5']);
      expect(await store.remove(alice)).to.equal(1);
      expect(await store.list(alice)).to.deep.equal([]);
    });

    it('marks unseen entries seen, in one conversation or all', async () => {
      const store = makeStore();
      const alice = uid('alice');
      await store.add(alice, entry({ id: 'x', endedAt: 1, conversationId: 'x', seen: false }), 10);
      await store.add(alice, entry({ id: 'y', endedAt: 2, conversationId: 'y', seen: false }), 10);
      await store.add(alice, entry({ id: 'z', endedAt: 3, conversationId: 'y', seen: true }), 10);
      expect(await store.markSeen(alice, { conversationId: 'x' })).to.equal(1);
      expect((await store.list(alice)).map((e) => [e.id, e.seen])).to.deep.equal([
        ['z', true],
        ['y', false],
        ['x', true],
      ]);
      expect(await store.markSeen(alice)).to.equal(1);
      expect((await store.list(alice)).every((e) => e.seen)).to.equal(true);
    });
  });
}

describe('CallHistory', () => {
  it('records an answered outgoing call: who was rung, who joined, times and duration', async () => {
    const host = new Host();
    const history = new CallHistory(host, { store: new MemoryHistoryStore() });
    host.connectAs({ id: uid('alice'), name: 'Alice' });
    const added = record(host, 'call-history-add');
    const call = newCall(host, 'outgoing', host.user!, 'team', true);
    const bob = new ParticipantRecord('bob', 'bob', false, 'ringing');
    const carol = new ParticipantRecord('carol', 'Carol', false, 'ringing');
    call.participants.set('bob', bob).set('carol', carol);
    host.call = call;
    host.setState('outgoing');
    // Bob answers, with his name; Carol declines.
    bob.name = 'Bob';
    bob.state = 'connecting';
    host.dispatchEvent(new CallParticipantJoinedEvent(call, bob));
    call.answeredAt = Date.now() - 5000;
    host.setState('active');
    call.participants.delete('carol');
    carol.state = 'left';
    host.dispatchEvent(new CallParticipantLeftEvent(call, carol, 'declined'));
    // Bob hangs up, which ends the call: the controller has removed him by then.
    call.participants.delete('bob');
    bob.state = 'left';
    host.dispatchEvent(new CallParticipantLeftEvent(call, bob, 'hangup'));
    host.call = null;
    host.dispatchEvent(new CallEndedEvent(call, 'remote-hangup'));

    await waitUntil(() => added.length === 1);
    const entry = added[0].entry;
    expect(entry).to.include({
      callId: call.id,
      conversationId: 'team',
      direction: 'outgoing',
      video: true,
      outcome: 'completed',
      endReason: 'remote-hangup',
      failureReason: null,
      startedAt: call.createdAt,
      answeredAt: call.answeredAt,
      seen: true,
    });
    expect(entry.participants).to.deep.equal([
      { id: 'bob', name: 'Bob' },
      { id: 'carol', name: 'Carol' },
    ]);
    expect(entry.joined).to.deep.equal([{ id: 'bob', name: 'Bob' }]);
    expect(entry.duration).to.be.within(5000, 6000);
    expect(entry.endedAt - entry.answeredAt!).to.equal(entry.duration);
    expect(await history.list()).to.deep.equal([entry]);
    expect(added[0].bubbles && added[0].composed).to.equal(true);
  });

  it('counts missed calls per conversation until they are marked seen', async () => {
    const host = new Host();
    const history = new CallHistory(host, { store: new MemoryHistoryStore() });
    host.connectAs({ id: uid('bob'), name: 'Bob' });
    const counts = record(host, 'call-history-missed-change');
    const changes = record(host, 'call-history-change');
    for (const conversationId of ['dm', 'dm', 'team']) {
      const alice = { id: 'alice', name: 'Alice' };
      const call = newCall(host, 'incoming', alice, conversationId);
      call.participants.set('alice', new ParticipantRecord('alice', 'Alice', false, 'connecting'));
      host.call = call;
      host.setState('incoming');
      host.dispatchEvent(new CallIncomingEvent(call));
      host.call = null;
      host.dispatchEvent(new CallEndedEvent(call, 'missed'));
    }
    await waitUntil(() => counts.length === 3);
    expect(counts.map((event) => event.count)).to.deep.equal([1, 2, 3]);
    expect(history.missedCount).to.equal(3);
    expect(history.missedCountOf('dm')).to.equal(2);
    const [latest] = await history.list();
    expect(latest).to.include({ outcome: 'missed', seen: false, duration: 0, answeredAt: null });
    expect(latest.joined, 'the caller rang, but we were never in the call with them').to.deep.equal([]);
    expect(latest.participants).to.deep.equal([{ id: 'alice', name: 'Alice' }]);

    const before = changes.length;
    await history.markSeen('dm');
    expect(history.missedCountOf('dm')).to.equal(0);
    expect(history.missedCount).to.equal(1);
    expect(counts.at(-1)!.count).to.equal(1);
    expect(changes.length).to.equal(before + 1);
    await history.markSeen();
    expect(history.missedCount).to.equal(0);
    expect((await history.list()).every((entry) => entry.seen)).to.equal(true);
  });

  it('follows the connected user, and reads the missed count of one who comes back', async () => {
    const store = new MemoryHistoryStore();
    const bob = { id: uid('bob'), name: 'Bob' };
    const earlier = entry({ conversationId: 'dm', outcome: 'missed', seen: false, endedAt: 5 });
    await store.add(bob.id, earlier, 10);
    const host = new Host();
    const history = new CallHistory(host, { store });
    expect(history.userId).to.equal(null);
    expect(await history.list()).to.deep.equal([]);
    const counts = record(host, 'call-history-missed-change');
    host.connectAs(bob);
    expect(history.userId).to.equal(bob.id);
    await waitUntil(() => counts.length === 1);
    expect(counts[0].count).to.equal(1);
    expect(history.missedCountOf('dm')).to.equal(1);
    expect(await history.list()).to.deep.equal([earlier]);

    host.user = null;
    host.setState('disconnected');
    expect(history.userId).to.equal(null);
    expect(history.missedCount).to.equal(0);
    expect(counts.at(-1)!.count).to.equal(0);
  });

  it('clears, prunes and exports', async () => {
    const host = new Host();
    const history = new CallHistory(host, { store: new MemoryHistoryStore(), limit: 4 });
    host.connectAs({ id: uid('alice'), name: 'Alice' });
    const added = record(host, 'call-history-add');
    for (let index = 0; index < 6; index += 1) {
      const call = newCall(host, 'outgoing', host.user!, index % 2 ? 'odd' : 'even');
      call.participants.set('bob', new ParticipantRecord('bob', 'Bob', false, 'ringing'));
      host.call = call;
      host.setState('outgoing');
      host.dispatchEvent(new CallEndedEvent(call, 'no-answer'));
    }
    await waitUntil(() => added.length === 6);
    expect(await history.list(), 'capped at the limit').to.have.length(4);
    const exported = JSON.parse(await history.export());
    expect(exported).to.include({ format: 'meshcall-call-history', version: 1, userId: history.userId });
    expect(exported.entries).to.deep.equal(await history.list());
    expect(exported.entries[0].outcome).to.equal('no-answer');

    expect(await history.prune({ keep: 3 })).to.equal(1);
    expect(await history.prune({ before: new Date(Date.now() + 1000), keep: 1 })).to.equal(2);
    expect(await history.list()).to.have.length(1);
    await history.clear('nothing-here');
    expect(await history.list()).to.have.length(1);
    await history.clear();
    expect(await history.list()).to.deep.equal([]);
  });

  it('notes the last error of a failed call', async () => {
    const host = new Host();
    const history = new CallHistory(host, { store: new MemoryHistoryStore() });
    host.connectAs({ id: uid('alice'), name: 'Alice' });
    const call = newCall(host, 'outgoing', host.user!);
    call.participants.set('dave', new ParticipantRecord('dave', 'Dave', false, 'ringing'));
    host.call = call;
    host.setState('outgoing');
    host.dispatchEvent(new CallErrorEvent(new CallError('peer-unavailable', 'Dave is not reachable.', { userId: 'dave' })));
    host.dispatchEvent(new CallEndedEvent(call, 'unavailable'));
    await waitUntil(async () => (await history.list()).length === 1);
    expect((await history.list())[0]).to.include({ outcome: 'failed', failureReason: 'unavailable', errorType: 'peer-unavailable' });
  });

  it('keeps the history in memory when the store fails, and says so once', async () => {
    const failing: HistoryStore = {
      add: () => Promise.reject(new DOMException('refused', 'SecurityError')),
      list: () => Promise.reject(new DOMException('refused', 'SecurityError')),
      remove: () => Promise.reject(new DOMException('refused', 'SecurityError')),
      markSeen: () => Promise.reject(new DOMException('refused', 'SecurityError')),
    };
    const host = new Host();
    const errors = record(host, 'call-error');
    const history = new CallHistory(host, { store: failing });
    host.connectAs({ id: uid('alice'), name: 'Alice' });
    const added = record(host, 'call-history-add');
    const call = newCall(host, 'outgoing', host.user!);
    host.call = call;
    host.setState('outgoing');
    host.dispatchEvent(new CallEndedEvent(call, 'cancelled'));
    await waitUntil(() => added.length === 1);
    expect(await history.list()).to.deep.equal([added[0].entry]);
    expect(errors.map((event) => event.error.type)).to.deep.equal(['history-unavailable']);
  });
});

import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import { CallError, type CallController, type CallControllerEventMap } from '../src/controller/index.js';
import { waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';

/** How many events of that type the controller dispatches from now on. */
function countEvents(controller: CallController, type: keyof CallControllerEventMap): () => number {
  let count = 0;
  controller.addEventListener(type, () => (count += 1));
  return () => count;
}

/** The error a rejected promise carried, as a CallError (fails the test if it resolved or threw something else). */
async function rejectionOf(promise: Promise<unknown>): Promise<CallError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error, 'the promise rejected').to.be.instanceOf(CallError);
  return error as CallError;
}

/** Everyone is out of any call, every track stopped, every connection and data channel closed, no audio element kept. */
async function expectNothingLeft(ledger: ResourceLedger, parties: CallController[]): Promise<void> {
  await waitUntil(() => parties.every((party) => party.state === 'idle'), 'someone is still in a call', { timeout: 5000 });
  await waitUntil(
    () => ledger.liveTracks().length === 0 && ledger.openConnections().length === 0 && ledger.openChannels().length === 0,
    '',
    { timeout: 5000 },
  ).catch(() => {
    throw new Error(
      `${ledger.liveTracks().length} live tracks, ${ledger.openConnections().length} open peer connections, ` +
        `${ledger.openChannels().length} open data channels`,
    );
  });
  // The ledger saw the channels it says are closed.
  if (ledger.connections.length > 0) expect(ledger.channels.length, 'data channels seen').to.be.greaterThan(0);
  for (const party of parties) expect(party.audioElements.size, `${party.user?.name}'s audio elements`).to.equal(0);
}

/** The participants `viewer` lists, by user id, sorted. */
function participantIds(viewer: CallController): string[] {
  return [...(viewer.call?.participants.keys() ?? [])].sort();
}

describe('call etiquette: each way of using the controls at the wrong moment has one outcome', () => {
  let ledger: ResourceLedger;

  beforeEach(() => {
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    ledger.restore();
  });

  it('places one call on a double click: the second startCall() rejects with invalid-state', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const rings = countEvents(bob, 'call-incoming');
    const incoming = nextEvent(bob, 'call-incoming');
    const options = { conversationId: 'c', participants: [idOf(bob)], video: false };
    const [first, second] = await Promise.allSettled([alice.startCall(options), alice.startCall(options)]);
    expect(first.status).to.equal('fulfilled');
    expect(second.status).to.equal('rejected');
    expect((second as PromiseRejectedResult).reason).to.be.instanceOf(CallError);
    expect((second as PromiseRejectedResult).reason.type).to.equal('invalid-state');
    expect(alice.call?.id).to.equal((first as PromiseFulfilledResult<{ id: string }>).value.id);
    await incoming;
    await aTimeout(500);
    expect(rings(), 'rings bob saw').to.equal(1);
    // One microphone opened, one connection per side.
    expect(ledger.tracks.length, 'tracks opened').to.equal(1);
    expect(ledger.connections.length, 'peer connections').to.equal(2);
    await bob.accept();
    await waitUntil(() => alice.state === 'active', 'alice never became active');
    await alice.hangUp();
    await expectNothingLeft(ledger, [alice, bob]);
  });

  it('answers once on a double accept: the second accept() rejects with invalid-state', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    const [first, second] = await Promise.allSettled([bob.accept(), bob.accept()]);
    expect(first.status).to.equal('fulfilled');
    expect(second.status).to.equal('rejected');
    expect((second as PromiseRejectedResult).reason.type).to.equal('invalid-state');
    expect(bob.state).to.equal('active');
    // A third, once in the call: still invalid-state, and the call goes on.
    expect((await rejectionOf(bob.accept())).type).to.equal('invalid-state');
    // Microphone and camera for each side, opened once.
    expect(ledger.tracks.length, 'tracks opened').to.equal(4);
    expect(ledger.liveTracks().length, 'live tracks').to.equal(4);
    await waitForDecodedFrames(await remoteStream(alice, bob));
    await waitForDecodedFrames(await remoteStream(bob, alice));
    await bob.hangUp();
    await expectNothingLeft(ledger, [alice, bob]);
  });

  it('rejects an accept after the caller cancelled with invalid-state, leaving nothing open', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: false });
    await incoming;
    const bobEnded = nextEvent(bob, 'call-ended');
    await alice.hangUp();
    expect((await bobEnded).reason).to.equal('missed');
    expect((await rejectionOf(bob.accept())).type).to.equal('invalid-state');
    expect(bob.state).to.equal('idle');
    await expectNothingLeft(ledger, [alice, bob]);
  });

  it('rejects an accept whose devices were still starting when the caller cancelled, and stops them', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    // Bob's devices take until the cancel has reached him.
    const mediaDevices = navigator.mediaDevices;
    const getUserMedia = mediaDevices.getUserMedia;
    const bobEnded = nextEvent(bob, 'call-ended');
    mediaDevices.getUserMedia = async function (this: MediaDevices, constraints?: MediaStreamConstraints) {
      const stream = await getUserMedia.call(this, constraints);
      await bobEnded;
      return stream;
    };
    try {
      const accepting = bob.accept();
      await waitUntil(() => ledger.tracks.length > 1, 'bob never opened his devices');
      await alice.hangUp();
      expect((await bobEnded).reason).to.equal('missed');
      expect((await rejectionOf(accepting)).type).to.equal('invalid-state');
    } finally {
      mediaDevices.getUserMedia = getUserMedia;
    }
    expect(bob.state).to.equal('idle');
    expect(bob.microphoneEnabled || bob.cameraEnabled, 'bob shows a device on').to.equal(false);
    await expectNothingLeft(ledger, [alice, bob]);
  });

  it('cancels the ring when the caller hangs up while it rings: cancelled for the caller, missed for the callee', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    const aliceEnded = nextEvent(alice, 'call-ended');
    const bobEnded = nextEvent(bob, 'call-ended');
    await alice.hangUp();
    expect((await aliceEnded).reason).to.equal('cancelled');
    expect((await bobEnded).reason).to.equal('missed');
    await expectNothingLeft(ledger, [alice, bob]);
  });

  it('declines when the callee hangs up while it rings: declined on both sides', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    const aliceEnded = nextEvent(alice, 'call-ended');
    const left = nextEvent(alice, 'call-participant-left');
    const bobEnded = nextEvent(bob, 'call-ended');
    await bob.hangUp();
    expect((await bobEnded).reason).to.equal('declined');
    expect((await left).reason).to.equal('declined');
    expect((await aliceEnded).reason).to.equal('declined');
    await expectNothingLeft(ledger, [alice, bob]);
  });

  it('hangs up once on a double hang-up: both resolve, one call-ended each side', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob], { video: false });
    const aliceEnds = countEvents(alice, 'call-ended');
    const bobEnds = countEvents(bob, 'call-ended');
    const results = await Promise.allSettled([alice.hangUp(), alice.hangUp()]);
    expect(results.map((result) => result.status)).to.deep.equal(['fulfilled', 'fulfilled']);
    await expectNothingLeft(ledger, [alice, bob]);
    expect(aliceEnds()).to.equal(1);
    expect(bobEnds()).to.equal(1);
  });

  it('ignores an invitation of someone already in the call or still ringing: no second ring, no new connection', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    const bobRings = countEvents(bob, 'call-incoming');
    const carolRings = countEvents(carol, 'call-incoming');
    const rings = [nextEvent(bob, 'call-incoming'), nextEvent(carol, 'call-incoming')];
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob), idOf(carol)], video: false });
    await Promise.all(rings);
    await bob.accept();
    await waitUntil(() => alice.state === 'active' && alice.call?.participants.get(idOf(bob))?.state === 'connected', 'bob never connected');
    await waitUntil(() => bob.call?.participants.get(idOf(carol))?.state === 'ringing', 'bob never heard that carol rings');
    const connections = ledger.connections.length;
    const aliceToBob = alice.connectionOf(idOf(bob));
    // Bob (in) and carol (ringing) again, by the inviter and by another member; and oneself.
    await alice.invite([idOf(bob), idOf(carol), idOf(alice)]);
    await bob.invite([{ id: idOf(carol), name: 'Carol' }, idOf(alice)]);
    await aTimeout(800);
    expect(bobRings(), 'rings bob saw').to.equal(1);
    expect(carolRings(), 'rings carol saw').to.equal(1);
    expect(ledger.connections.length, 'peer connections').to.equal(connections);
    expect(alice.connectionOf(idOf(bob))).to.equal(aliceToBob);
    expect(carol.state).to.equal('incoming');
    expect(participantIds(alice)).to.deep.equal([idOf(bob), idOf(carol)].sort());
    expect(alice.call!.participants.get(idOf(bob))!.state).to.equal('connected');
    // Carol's one ring still joins her to both.
    await carol.accept();
    await waitUntil(
      () => [alice, bob].every((party) => party.call?.participants.get(idOf(carol))?.state === 'connected'),
      'carol never connected to both',
      { timeout: 10000 },
    );
    for (const party of [carol, bob, alice]) await party.hangUp();
    await expectNothingLeft(ledger, [alice, bob, carol]);
  });

  it('rejects a decline after accepting with invalid-state, and the call goes on', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await waitForDecodedFrames(await remoteStream(bob, alice));
    const aliceEnds = countEvents(alice, 'call-ended');
    expect((await rejectionOf(bob.decline())).type).to.equal('invalid-state');
    await aTimeout(300);
    expect(bob.state).to.equal('active');
    expect(alice.state).to.equal('active');
    expect(aliceEnds()).to.equal(0);
    await waitForDecodedFrames(await remoteStream(alice, bob));
    await bob.hangUp();
    await expectNothingLeft(ledger, [alice, bob]);
  });
});

describe('independent calls through one signalling server', () => {
  let ledger: ResourceLedger;

  beforeEach(() => {
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    ledger.restore();
  });

  it('keeps alice–bob, carol–dave and a group call of three apart: exact participants, each decodes its own', async function () {
    this.timeout(60000);
    const [alice, bob, carol, dave, erin, frank, grace] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map((name) => connectParty(name)),
    );
    const calls = [
      [alice, bob],
      [carol, dave],
      [erin, frank, grace],
    ];
    const everyone = calls.flat();
    const incoming = new Map(everyone.map((party) => [party, countEvents(party, 'call-incoming')]));
    // Rung at the same moment, each with its own conversation.
    await Promise.all(calls.map(([caller, ...callees], index) => establishCall(caller, callees, { conversationId: `conversation-${index}` })));
    for (const call of calls) {
      const ids = new Set(call.map(idOf));
      const callId = call[0].call!.id;
      for (const viewer of call) {
        await waitUntil(
          () => call.every((other) => other === viewer || viewer.call?.participants.get(idOf(other))?.state === 'connected'),
          `${viewer.user?.name} is not connected to the whole call`,
          { timeout: 10000 },
        );
        expect(viewer.call!.id, `${viewer.user?.name}'s call`).to.equal(callId);
        expect(participantIds(viewer), `${viewer.user?.name}'s participants`).to.deep.equal([...ids].filter((id) => id !== idOf(viewer)).sort());
        for (const stranger of everyone) {
          if (!ids.has(idOf(stranger))) expect(viewer.connectionOf(idOf(stranger)), `${viewer.user?.name} to ${stranger.user?.name}`).to.equal(null);
        }
        for (const sender of call) {
          if (sender !== viewer) await waitForDecodedFrames(await remoteStream(viewer, sender));
        }
      }
    }
    for (const party of everyone) {
      expect(incoming.get(party)!(), `rings ${party.user?.name} saw`).to.equal(party === alice || party === carol || party === erin ? 0 : 1);
    }
    expect(new Set(calls.map((call) => call[0].call!.id)).size, 'distinct call ids').to.equal(3);

    // Ending one call leaves the others as they were, media flowing.
    const ended = new Map(everyone.map((party) => [party, countEvents(party, 'call-ended')]));
    const left = new Map(everyone.map((party) => [party, countEvents(party, 'call-participant-left')]));
    await alice.hangUp();
    await waitUntil(() => bob.state === 'idle', 'bob is still in the call');
    await aTimeout(500);
    for (const party of [carol, dave, erin, frank, grace]) {
      expect(party.state, `${party.user?.name}'s state`).to.equal('active');
      expect(ended.get(party)!(), `calls ${party.user?.name} saw end`).to.equal(0);
      expect(left.get(party)!(), `people ${party.user?.name} saw leave`).to.equal(0);
    }
    await waitForDecodedFrames(await remoteStream(dave, carol));
    await waitForDecodedFrames(await remoteStream(grace, erin));
    // And a group member leaving touches neither the pair nor the other two.
    await frank.hangUp();
    await waitUntil(() => participantIds(erin).length === 1 && participantIds(grace).length === 1, 'frank is still listed');
    expect(participantIds(erin)).to.deep.equal([idOf(grace)]);
    expect(participantIds(carol)).to.deep.equal([idOf(dave)]);
    await waitForDecodedFrames(await remoteStream(erin, grace));
    await waitForDecodedFrames(await remoteStream(carol, dave));
    for (const party of [carol, erin, dave, grace]) await party.hangUp();
    await expectNothingLeft(ledger, everyone);
  });
});

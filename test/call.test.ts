import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { Peer } from 'peerjs';
import { CallController } from '../src/controller/index.js';
import { waitForAudio, waitForDecodedFrames } from './support/media.js';
import { localPeerOptions, peerServer } from './support/peer-server.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, recordLinks, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';

/** How many `call-error` events the controller dispatches from now on. */
function countErrorEvents(controller: CallController): () => number {
  let count = 0;
  controller.addEventListener('call-error', () => (count += 1));
  return () => count;
}

/** How many events of that type the controller dispatches from now on. */
function countEvents(controller: CallController, type: 'call-waiting'): () => number {
  let count = 0;
  controller.addEventListener(type, () => (count += 1));
  return () => count;
}

/** Every pair of parties sees and hears each other. */
async function expectFullMesh(parties: CallController[]): Promise<void> {
  for (const viewer of parties) {
    await waitUntil(() => viewer.call?.participants.size === parties.length - 1, '', { timeout: 5000 }).catch(() => undefined);
    expect(viewer.call?.participants.size, `${viewer.user?.name}'s participants`).to.equal(parties.length - 1);
    for (const sender of parties) {
      if (sender === viewer) continue;
      await waitForDecodedFrames(await remoteStream(viewer, sender));
    }
  }
}

async function expectEverythingReleased(ledger: ResourceLedger): Promise<void> {
  await waitUntil(() => ledger.liveTracks().length === 0 && ledger.openConnections().length === 0, '', { timeout: 3000 }).catch(
    () => {
      throw new Error(`${ledger.liveTracks().length} live tracks, ${ledger.openConnections().length} open peer connections`);
    },
  );
  expect(ledger.tracks.length, 'tracks created').to.be.greaterThan(0);
  expect(ledger.connections.length, 'peer connections created').to.be.greaterThan(0);
}

describe('calls between controllers, over a real PeerServer', () => {
  let ledger: ResourceLedger;

  beforeEach(() => {
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    ledger.restore();
  });

  it('places a 1:1 voice call that carries audio both ways', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    const call = await alice.startCall({ conversationId: 'dm-alice-bob', participants: [idOf(bob)], video: false });
    expect(alice.state).to.equal('outgoing');
    expect(call.participants.get(idOf(bob))?.state).to.equal('ringing');

    const ring = await incoming;
    expect(ring.call.conversationId).to.equal('dm-alice-bob');
    expect(ring.call.video).to.equal(false);
    expect(ring.call.caller).to.deep.equal({ id: idOf(alice), name: 'alice' });
    expect(bob.state).to.equal('incoming');

    await bob.accept();
    await waitUntil(() => alice.state === 'active');
    await waitForAudio(await remoteStream(alice, bob));
    await waitForAudio(await remoteStream(bob, alice));
    expect(alice.cameraEnabled).to.equal(false);
    expect(bob.call?.local.stream?.getVideoTracks()).to.have.length(0);
    await waitUntil(() => alice.call?.participants.get(idOf(bob))?.state === 'connected');
  });

  it('connects while it rings, sending nothing either way, and closes on decline', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    const tracksBeforeAccept = ledger.tracks.length;
    await waitUntil(() => bob.connectionOf(idOf(alice))?.connectionState === 'connected', 'no connection while it rings');
    const sent = (from: CallController, to: CallController) => from.connectionOf(idOf(to))!.getSenders().map((sender) => sender.track);
    // Microphone, camera, screen.
    expect(sent(bob, alice), 'bob sends nothing yet').to.deep.equal([null, null, null]);
    expect(sent(alice, bob), 'alice sends nothing to someone who may still decline').to.deep.equal([null, null, null]);
    expect(ledger.tracks.length, 'bob opened a device before accept').to.equal(tracksBeforeAccept);
    await bob.decline();
    await waitUntil(() => ledger.openConnections().length === 0, 'a declined call left a connection open');
  });

  it('connects only on accept when pre-connection is off', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob', { preconnect: false });
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    await aTimeout(1000);
    expect(bob.connectionOf(idOf(alice))?.connectionState, 'connected before accept').to.equal('new');
    expect(alice.connectionOf(idOf(bob))?.connectionState).to.not.equal('connected');
    await bob.accept();
    await waitForDecodedFrames(await remoteStream(alice, bob));
    await waitForDecodedFrames(await remoteStream(bob, alice));
  });

  it('places a 1:1 video call whose frames are decoded on both sides', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await expectFullMesh([alice, bob]);
    expect(alice.call?.participants.get(idOf(bob))?.cameraEnabled).to.equal(true);
    expect(bob.call?.participants.get(idOf(alice))?.cameraEnabled).to.equal(true);
  });

  it('ends the call for both when the callee declines', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await incoming;
    const aliceEnded = nextEvent(alice, 'call-ended');
    const left = nextEvent(alice, 'call-participant-left');
    const bobEnded = nextEvent(bob, 'call-ended');
    await bob.decline();
    expect((await bobEnded).reason).to.equal('declined');
    expect((await left).reason).to.equal('declined');
    expect((await aliceEnded).reason).to.equal('declined');
    await waitUntil(() => alice.state === 'idle' && bob.state === 'idle');
    await expectEverythingReleased(ledger);
  });

  it('stops ringing on the callee when the caller cancels', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: false });
    await incoming;
    const bobEnded = nextEvent(bob, 'call-ended');
    await alice.hangUp();
    expect(alice.state).to.equal('idle');
    expect((await bobEnded).reason).to.equal('missed');
    expect(bob.state).to.equal('idle');
    await expectEverythingReleased(ledger);
  });

  it('times an unanswered ring out as no-answer for the caller and missed for the callee', async () => {
    const alice = await connectParty('alice', { ringTimeout: 1200 });
    const bob = await connectParty('bob');
    const incoming = nextEvent(bob, 'call-incoming');
    const aliceEnded = nextEvent(alice, 'call-ended');
    const bobEnded = nextEvent(bob, 'call-ended');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: false });
    await incoming;
    expect((await aliceEnded).reason).to.equal('no-answer');
    expect((await bobEnded).reason).to.equal('missed');
    await waitUntil(() => alice.state === 'idle' && bob.state === 'idle');
    await expectEverythingReleased(ledger);
  });

  it('shows microphone and camera changes on the remote side, and video resumes', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    const bobSeenByAlice = () => alice.call!.participants.get(idOf(bob))!;
    await waitForDecodedFrames(await remoteStream(alice, bob));

    await bob.setMicrophoneEnabled(false);
    await waitUntil(() => !bobSeenByAlice().microphoneEnabled, 'alice never saw the microphone go off');
    await bob.setMicrophoneEnabled(true);
    await waitUntil(() => bobSeenByAlice().microphoneEnabled, 'alice never saw the microphone come back');

    const camera = bob.call!.local.stream!.getVideoTracks()[0];
    await bob.setCameraEnabled(false);
    expect(camera.readyState, 'the camera device is released').to.equal('ended');
    expect(bob.call!.local.stream!.getVideoTracks()).to.have.length(0);
    await waitUntil(() => !bobSeenByAlice().cameraEnabled, 'alice never saw the camera go off');
    let framesWhileOff = true;
    await waitForDecodedFrames(bobSeenByAlice().stream!, { timeout: 1500 }).catch(() => (framesWhileOff = false));
    expect(framesWhileOff, 'no frames arrive while the camera is off').to.equal(false);

    await bob.setCameraEnabled(true);
    await waitUntil(() => bobSeenByAlice().cameraEnabled, 'alice never saw the camera come back');
    await waitForDecodedFrames(bobSeenByAlice().stream!);
  });

  it('renegotiates over the control channel: a transceiver added mid-call reaches the far side', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await waitForDecodedFrames(await remoteStream(bob, alice));
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
    const context = canvas.getContext('2d')!;
    const paint = setInterval(() => {
      context.fillStyle = `hsl(${Date.now() % 360} 80% 50%)`;
      context.fillRect(0, 0, 160, 120);
    }, 50);
    const screen = canvas.captureStream(15).getVideoTracks()[0];
    try {
      const arrived = new Promise<MediaStreamTrack>((resolve) =>
        bob.connectionOf(idOf(alice))!.addEventListener('track', (event) => resolve(event.track), { once: true }),
      );
      alice.connectionOf(idOf(bob))!.addTransceiver(screen, { direction: 'sendonly' });
      await waitForDecodedFrames(new MediaStream([await arrived]));
      expect(ledger.connections.length, 'no new connection').to.equal(2);
      // The camera went on throughout.
      await waitForDecodedFrames(await remoteStream(bob, alice));
    } finally {
      clearInterval(paint);
      screen.stop();
    }
  });

  it('restarts ICE over the control channel and keeps the media flowing', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await waitForDecodedFrames(await remoteStream(alice, bob));
    const ufrag = (connection: RTCPeerConnection) => /a=ice-ufrag:(\S+)/.exec(connection.localDescription!.sdp)![1];
    // The controller restarts from the impolite side first (the smaller id: alice here), as this does.
    const [first, second] = [alice.connectionOf(idOf(bob))!, bob.connectionOf(idOf(alice))!];
    const before = [ufrag(first), ufrag(second)];
    first.restartIce();
    await waitUntil(() => ufrag(first) !== before[0] && ufrag(second) !== before[1], 'ICE credentials did not change', { timeout: 5000 });
    await waitUntil(() => first.connectionState === 'connected' && second.connectionState === 'connected', 'not connected again');
    await waitForDecodedFrames(await remoteStream(alice, bob));
    await waitForDecodedFrames(await remoteStream(bob, alice));
    expect(alice.call?.participants.get(idOf(bob))?.state).to.equal('connected');
  });

  it('turns the camera on during a voice call without a new connection', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob], { video: false });
    await waitForAudio(await remoteStream(alice, bob));
    const connectionsBefore = ledger.connections.length;
    await bob.setCameraEnabled(true);
    await waitUntil(() => alice.call!.participants.get(idOf(bob))!.cameraEnabled);
    await waitForDecodedFrames(await remoteStream(alice, bob));
    expect(ledger.connections.length, 'no new peer connection').to.equal(connectionsBefore);
  });

  it('delivers a hang-up to the other side within a second and releases everything', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await waitForDecodedFrames(await remoteStream(bob, alice));
    const bobEnded = nextEvent(bob, 'call-ended');
    const started = performance.now();
    const hangingUp = alice.hangUp();
    const ended = await bobEnded;
    const elapsed = performance.now() - started;
    await hangingUp;
    expect(ended.reason).to.equal('remote-hangup');
    expect(elapsed, 'ms until bob saw the hang-up').to.be.lessThan(1000);
    expect(alice.state).to.equal('idle');
    await waitUntil(() => bob.state === 'idle');
    await expectEverythingReleased(ledger);
  });

  it('connects a group call of three as a full mesh, on one connection per pair', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob, carol]);
    await expectFullMesh([alice, bob, carol]);
    // All three parties share this page: 3 pairs, one RTCPeerConnection on each side of each.
    expect(ledger.openConnections().length, 'open RTCPeerConnections').to.equal(6);
    expect(ledger.connections.length, 'RTCPeerConnections ever created').to.equal(6);
  });

  it('has a callee who accepts last dial the one who is in already, from what it knows at the accept', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    const rings = [nextEvent(bob, 'call-incoming'), nextEvent(carol, 'call-incoming')];
    await alice.startCall({ conversationId: 'test-conversation', participants: [idOf(bob), idOf(carol)], video: true });
    await Promise.all(rings);
    await bob.accept();
    await waitUntil(() => carol.call?.participants.get(idOf(bob))?.state === 'connecting', "carol never heard that bob is in");
    await carol.accept();
    // By the id rule bob would dial carol, but only once alice's roster told him she is in.
    expect(carol.connectionOf(idOf(bob)), 'carol dialled bob as she accepted').to.not.equal(null);
    await expectFullMesh([alice, bob, carol]);
    expect(ledger.openConnections().length, 'one connection per pair, crossing dials included').to.equal(6);
  });

  it('sends each connection a smaller camera as the call grows', async () => {
    // The static ladder alone: network adaptation, which may send less, is tested in test/quality.test.ts.
    const alice = await connectParty('alice', { media: { video: { width: 640, height: 480 } }, adaptation: false });
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    const videoEncoding = () =>
      alice
        .connectionOf(idOf(bob))!
        .getSenders()
        .find((sender) => sender.track?.kind === 'video')!
        .getParameters().encodings[0];
    await establishCall(alice, [bob]);
    await waitForDecodedFrames(await remoteStream(bob, alice));
    await waitUntil(() => videoEncoding()?.maxBitrate === 1_500_000, '1:1 rung not applied');
    await alice.invite([idOf(carol)]);
    await waitUntil(() => videoEncoding()?.maxBitrate === 450_000, 'three-person rung not applied');
    expect(videoEncoding().scaleResolutionDownBy).to.be.greaterThan(1);
    // What bob receives shrinks to the rung's 360 lines, and still plays.
    const receivedHeight = async () => {
      let height = 0;
      (await bob.connectionOf(idOf(alice))!.getStats()).forEach((report) => {
        // The camera's: the screen's m-line, idle, may have a report of its own without frames.
        if (report.type === 'inbound-rtp' && report.kind === 'video' && report.framesDecoded > 0) height = report.frameHeight ?? 0;
      });
      return height;
    };
    await waitUntil(async () => {
      const height = await receivedHeight();
      return height > 0 && height <= 360;
    }, 'bob still receives a large camera', { timeout: 15000, interval: 250 });
    await waitForDecodedFrames(await remoteStream(bob, alice));
  });

  it('lets a fourth person invited into a running call connect to everyone', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    const dave = await connectParty('dave');
    await establishCall(alice, [bob, carol]);
    await expectFullMesh([alice, bob, carol]);

    const incoming = nextEvent(dave, 'call-incoming');
    alice.invite([idOf(dave)]);
    await waitUntil(() => bob.call?.participants.get(idOf(dave))?.state === 'ringing', 'bob never saw dave ringing');
    const ring = await incoming;
    expect([...ring.call.participants.keys()]).to.include.members([idOf(alice), idOf(bob), idOf(carol)]);
    await dave.accept();
    await expectFullMesh([alice, bob, carol, dave]);
  });

  it('keeps the others connected when one person leaves a group call', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob, carol]);
    await expectFullMesh([alice, bob, carol]);

    const aliceSawCarolLeave = nextEvent(alice, 'call-participant-left');
    const bobSawCarolLeave = nextEvent(bob, 'call-participant-left');
    await carol.hangUp();
    expect((await aliceSawCarolLeave).participant.id).to.equal(idOf(carol));
    expect((await bobSawCarolLeave).reason).to.equal('hangup');
    expect(alice.state).to.equal('active');
    expect(bob.state).to.equal('active');
    await expectFullMesh([alice, bob]);
  });

  it('lets two members ring the same person at once and still connects everyone', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const dave = await connectParty('dave');
    await establishCall(alice, [bob]);
    const incoming = nextEvent(dave, 'call-incoming');
    await Promise.all([alice.invite([idOf(dave)]), bob.invite([idOf(dave)])]);
    await incoming;
    await dave.accept();
    await expectFullMesh([alice, bob, dave]);
    await aTimeout(1500);
    expect(alice.call?.participants.size).to.equal(2);
    expect(bob.call?.participants.size).to.equal(2);
  });

  it('ends a ring whose inviter vanished for everyone who saw it', async () => {
    const links = recordLinks();
    try {
      const alice = await connectParty('alice', { ringTimeout: 1200 });
      const bob = await connectParty('bob');
      const dave = await connectParty('dave');
      await establishCall(alice, [bob], { video: false });
      const incoming = nextEvent(dave, 'call-incoming');
      await alice.invite([idOf(dave)]);
      await incoming;
      await waitUntil(() => bob.call?.participants.get(idOf(dave))?.state === 'ringing', 'bob never saw dave ringing');
      // Dave is connected to alice while it rings: her vanishing is what he notices.
      await waitUntil(() => dave.connectionOf(idOf(alice))?.connectionState === 'connected', 'dave never connected to alice');
      // Cuts that repair cannot mend: alice is held as reconnecting by bob, while the ring she made ends.
      const severed = [links.sever(alice, bob), links.sever(alice, dave)];
      try {
        await waitUntil(() => !dave.call, 'dave is still ringing', { timeout: 10000 });
        await waitUntil(() => !bob.call?.participants.has(idOf(dave)), 'bob still waits for dave', { timeout: 10000 });
      } finally {
        for (const each of severed) each.stop();
      }
    } finally {
      links.restore();
    }
  });

  it('refuses to invite before the devices are on', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const starting = alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: false });
    let early: unknown;
    await alice.invite(['dave']).catch((error) => (early = error));
    expect((early as { type?: string }).type).to.equal('invalid-state');
    await starting;
    expect(alice.call?.participants.has('dave')).to.equal(false);
  });

  it('rings someone again who declined, and they join everyone', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob]);
    const firstRing = nextEvent(carol, 'call-incoming');
    await alice.invite([idOf(carol)]);
    await firstRing;
    await carol.decline();
    await waitUntil(() => !alice.call?.participants.has(idOf(carol)) && !bob.call?.participants.has(idOf(carol)));
    const secondRing = nextEvent(carol, 'call-incoming');
    await bob.invite([idOf(carol)]);
    await secondRing;
    await carol.accept();
    await expectFullMesh([alice, bob, carol]);
  });

  it('brings back someone who hung up when they are invited again', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob, carol]);
    await expectFullMesh([alice, bob, carol]);
    await bob.hangUp();
    await waitUntil(() => !alice.call?.participants.has(idOf(bob)) && !carol.call?.participants.has(idOf(bob)));
    const ring = nextEvent(bob, 'call-incoming');
    await carol.invite([idOf(bob)]);
    await ring;
    await bob.accept();
    await expectFullMesh([alice, bob, carol]);
  });

  it('reports peer-unavailable when calling a user who is offline', async () => {
    const alice = await connectParty('alice');
    const error = nextEvent(alice, 'call-error');
    const ended = nextEvent(alice, 'call-ended');
    await alice.startCall({ conversationId: 'c', participants: ['nobody-is-home'], video: false });
    expect((await error).error.type).to.equal('peer-unavailable');
    expect((await error).error.userId).to.equal('nobody-is-home');
    expect((await ended).reason).to.equal('unavailable');
    await waitUntil(() => alice.state === 'idle');
    await expectEverythingReleased(ledger);
  });

  it('ends two users ringing each other at the same moment in exactly one call, with media both ways', async () => {
    let crossings = 0;
    for (const delayMs of [0, 15, 40]) {
      const alice = await connectParty('alice');
      const bob = await connectParty('bob');
      for (const party of [alice, bob]) {
        party.addEventListener('call-ended', (event) => (crossings += event.reason === 'crossed' ? 1 : 0));
      }
      const waitingShown = [countEvents(alice, 'call-waiting'), countEvents(bob, 'call-waiting')];
      const bobsCall = bob.startCall({ conversationId: 'dm', participants: [idOf(alice)], video: true });
      await aTimeout(delayMs);
      await alice.startCall({ conversationId: 'dm', participants: [idOf(bob)], video: true });
      await bobsCall;
      await waitUntil(() => alice.state === 'active' && bob.state === 'active', `not both active (delay ${delayMs} ms): ${alice.state}/${bob.state}`, {
        timeout: 10000,
      });
      // Rings that crossed: alice's stands (the smaller id). Bob's ring already there when she called: she answered it.
      expect(bob.call!.id, `one call (delay ${delayMs} ms)`).to.equal(alice.call!.id);
      expect([idOf(alice), idOf(bob)]).to.include(alice.call!.caller.id);
      await waitForDecodedFrames(await remoteStream(alice, bob));
      await waitForDecodedFrames(await remoteStream(bob, alice));
      expect(waitingShown.map((count) => count()), 'no call shown as waiting').to.deep.equal([0, 0]);
      await disconnectAll();
    }
    expect(crossings, 'rings that crossed, in at least one of the tries').to.be.greaterThan(0);
  });

  it('lets a second caller wait while in a call, and answers a third one busy', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    const dave = await connectParty('dave');
    await establishCall(alice, [bob], { video: false });
    const waiting = nextEvent(bob, 'call-waiting');
    await carol.startCall({ conversationId: 'c2', participants: [idOf(bob)], video: false });
    expect((await waiting).waitingCall.caller.id).to.equal(idOf(carol));
    const daveEnded = nextEvent(dave, 'call-ended');
    await dave.startCall({ conversationId: 'c3', participants: [idOf(bob)], video: false });
    expect((await daveEnded).reason).to.equal('busy');
    expect(bob.state).to.equal('active');
    expect(bob.waitingCall?.caller.id, 'the first one still waits').to.equal(idOf(carol));
  });

  it('releases every track and connection after each way a call can end', async () => {
    let alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    const endings: Array<[string, () => Promise<unknown>]> = [
      ['the caller hangs up', () => alice.hangUp()],
      ['the callee hangs up', () => bob.hangUp()],
      ['the caller disconnects', () => alice.disconnect()],
    ];
    for (const [label, end] of endings) {
      await establishCall(alice, [bob]);
      await waitForDecodedFrames(await remoteStream(bob, alice));
      await end();
      await waitUntil(() => !alice.call && !bob.call, `${label}: the other side is still in the call`, { timeout: 3000 });
      await expectEverythingReleased(ledger);
    }
    alice = await connectParty('alice');
    await establishCall(alice, [bob, carol]);
    await waitForDecodedFrames(await remoteStream(carol, bob));
    for (const party of [bob, alice, carol]) await party.hangUp();
    await waitUntil(() => [alice, bob, carol].every((party) => !party.call), 'a group call is still up', { timeout: 3000 });
    await expectEverythingReleased(ledger);
  });

  it('reports identity-in-use when the same user connects twice', async () => {
    const alice = await connectParty('alice');
    const twin = new CallController();
    const errorEvents = countErrorEvents(twin);
    let rejected: unknown;
    await twin.connect({ user: alice.user!, server: await peerServer(), iceServers: [] }).catch((e) => (rejected = e));
    expect((rejected as { type?: string }).type).to.equal('identity-in-use');
    expect(errorEvents(), 'reported once, by the rejection').to.equal(0);
    expect(twin.state).to.equal('disconnected');
    expect(alice.state).to.equal('idle');
  });

  it('hangs up when the page is hidden, with resume off', async () => {
    // With resume on (the default), a hidden page steps away instead: test/cross-browser/resume.test.mjs.
    const alice = await connectParty('alice', { resume: false });
    const bob = await connectParty('bob', { resume: false });
    await establishCall(alice, [bob], { video: false });
    // Both controllers live in this page, so both see the event.
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    await waitUntil(() => !alice.call && !bob.call, 'a call survived the page going away');
    await expectEverythingReleased(ledger);
  });

  it('releases its registration while the page sits in the back/forward cache', async () => {
    const alice = await connectParty('alice');
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    await waitUntil(() => alice.state === 'connecting', 'alice still counts as registered');

    // Another page for the same user, opened by navigating away, may now register (once the server
    // has seen the old socket close).
    const twin = new CallController();
    const deadline = performance.now() + 3000;
    while (twin.state !== 'idle') {
      await twin.connect({ user: alice.user!, server: await peerServer(), iceServers: [] }).catch((error) => {
        if (error.type !== 'identity-in-use' || performance.now() > deadline) throw error;
        return new Promise((resolve) => setTimeout(resolve, 100));
      });
    }
    await twin.disconnect();

    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitUntil(() => alice.state === 'idle', 'alice did not register again', { timeout: 8000 });
    const bob = await connectParty('bob');
    await establishCall(bob, [alice], { video: false });
  });

  it('keeps a call going through a signalling outage and registers again afterwards', async () => {
    const server = (await executeServerCommand('start-peer-server')) as { host: string; port: number; path: string };
    try {
      const alice = await connectParty('alice', { server });
      const bob = await connectParty('bob', { server });
      await establishCall(alice, [bob]);
      await waitForDecodedFrames(await remoteStream(alice, bob));

      const errors: string[] = [];
      alice.addEventListener('call-error', (event) => errors.push(event.error.type));
      await executeServerCommand('stop-peer-server');
      await waitUntil(() => errors.length > 0, 'alice was not told the server went away');
      expect(errors[0]).to.equal('server-unreachable');
      expect(alice.state, 'the call goes on peer to peer').to.equal('active');
      await waitForDecodedFrames(await remoteStream(alice, bob));
      await waitForDecodedFrames(await remoteStream(bob, alice));
      await aTimeout(2500);
      expect(errors, 'one error per outage, not one per retry').to.deep.equal(['server-unreachable']);

      await alice.hangUp();
      await waitUntil(() => alice.state === 'connecting' && !bob.call, 'the hang-up did not get through, or alice is not re-registering');
      await executeServerCommand('start-peer-server', { port: server.port });
      await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', 'no re-registration', { timeout: 20000 });
      await establishCall(bob, [alice], { video: false });
    } finally {
      await disconnectAll();
      await executeServerCommand('stop-peer-server');
    }
  });

  it('reports server-unreachable when no PeerServer answers', async () => {
    const controller = new CallController();
    const { host, path } = await peerServer();
    let rejected: unknown;
    await controller
      .connect({ user: { id: 'lonely' }, server: { host, port: 9, path }, iceServers: [], connectTimeout: 3000 })
      .catch((e) => (rejected = e));
    expect((rejected as { type?: string }).type).to.equal('server-unreachable');
    expect(controller.state).to.equal('disconnected');
  });

  it('refuses to connect without an explicit server', async () => {
    const controller = new CallController();
    let rejected: unknown;
    // @ts-expect-error the server is deliberately missing
    await Promise.resolve(controller.connect({ user: { id: 'x' } })).catch((e) => (rejected = e));
    expect((rejected as { type?: string }).type).to.equal('invalid-options');
    expect(controller.state).to.equal('disconnected');
  });

  it('reports permission-denied and stays usable when the microphone is refused', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const original = navigator.mediaDevices.getUserMedia;
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    const errorEvents = countErrorEvents(alice);
    let rejected: unknown;
    try {
      await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true }).catch((e) => (rejected = e));
    } finally {
      navigator.mediaDevices.getUserMedia = original;
    }
    expect((rejected as { type?: string }).type).to.equal('permission-denied');
    expect(errorEvents(), 'reported once, by the rejection').to.equal(0);
    await waitUntil(() => alice.state === 'idle');
    expect(bob.state, 'bob was never rung').to.equal('idle');
    await establishCall(alice, [bob], { video: false });
  });

  it('ignores malformed messages and strangers, reporting them as protocol errors', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    const bobPeerId = `meshcall-u-${idOf(bob)}`;
    // An id in meshcall's namespace, so that bob takes it for a user's.
    const stranger = new Peer(`meshcall-u-stranger${crypto.randomUUID().slice(0, 8)}`, await localPeerOptions());
    try {
      await new Promise<void>((resolve) => stranger.once('open', () => resolve()));
      const relay = (payload: unknown) =>
        (stranger as unknown as { socket: { send(message: object): void } }).socket.send({
          type: 'CANDIDATE',
          dst: bobPeerId,
          payload: { meshcall: payload },
        });
      const errors: string[] = [];
      bob.addEventListener('call-error', (event) => errors.push(event.error.type));
      const ended = new Promise<boolean>((resolve) => {
        bob.addEventListener('call-ended', () => resolve(true), { once: true });
        setTimeout(() => resolve(false), 1500);
      });
      relay({ v: 1, type: 'hangup' });
      relay('not even an object');
      relay({ v: 1, type: 'roster', callId: bob.call!.id, roster: 'everyone' });
      relay({ v: 1, type: 'signal', callId: bob.call!.id, from: 'x', to: null, description: { type: 'offer', sdp: 42 } });
      // Well-formed, but from someone who is not in the call.
      relay({ v: 1, type: 'hangup', callId: bob.call!.id });
      // PeerJS's own connections are not meshcall's: never answered.
      const channel = stranger.connect(bobPeerId, { serialization: 'json', metadata: { callId: bob.call!.id } });
      let opened = false;
      channel.on('open', () => (opened = true));
      expect(await ended, 'the call ended').to.equal(false);
      expect(errors, 'one report for one sender').to.deep.equal(['protocol-error']);
      expect(opened, 'a PeerJS data connection opened').to.equal(false);
      expect(bob.state).to.equal('active');
      await waitForAudio(await remoteStream(bob, alice));
      // The stranger left no trace in the rosters: bob can still ring people in.
      const dave = await connectParty('dave');
      const rung = nextEvent(dave, 'call-incoming');
      await bob.invite([idOf(dave)]);
      await rung;
      await dave.accept();
      await expectFullMesh([alice, bob, dave]);
    } finally {
      stranger.destroy();
    }
  });
});

import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { CallController } from '../src/controller/index.js';
import { newCallSecret } from '../src/controller/call/invitation.js';
import { waitForDecodedFrames } from './support/media.js';
import type { PeerServerInfo } from './support/peer-server.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';
import { connectStranger, peerIdOf, type Stranger } from './support/stranger.js';

const media = { microphone: true, camera: true };

/** The `protocol-error`s a controller reports from now on, by sender. */
function protocolErrors(controller: CallController): string[] {
  const senders: string[] = [];
  controller.addEventListener('call-error', (event) => {
    if (event.error.type === 'protocol-error') senders.push(event.error.userId ?? '?');
  });
  return senders;
}

/** A real offer from an RTCPeerConnection of the test page, as an intruder would make it. */
async function realOffer(): Promise<{ connection: RTCPeerConnection; sdp: string }> {
  const connection = new RTCPeerConnection({ iceServers: [] });
  connection.addTransceiver('audio');
  connection.addTransceiver('video');
  connection.createDataChannel('meshcall', { negotiated: true, id: 0 });
  await connection.setLocalDescription();
  return { connection, sdp: connection.localDescription!.sdp };
}

/** Every payload a would-be member sends to be let in, naming the call but without its invitation. */
function intrusions(stranger: Stranger, callId: string, members: CallController[], sdp: string): unknown[] {
  const self = { id: stranger.userId, name: 'Stranger' };
  const roster = [
    ...members.map((member) => ({ id: idOf(member), name: idOf(member), state: 'joined', epoch: 1 })),
    { ...self, state: 'joined', epoch: 1 },
  ];
  const secret = newCallSecret();
  return [
    { v: 1, type: 'join', callId, user: self, media, epoch: 1, secret },
    { v: 1, type: 'join', callId, user: self, media, epoch: 7, secret },
    { v: 1, type: 'ring', callId, conversationId: 'c', video: true, from: self, media, roster, timeout: 30000, secret },
    { v: 1, type: 'roster', callId, roster },
    { v: 1, type: 'accept', callId, user: self, media },
    { v: 1, type: 'media', callId, media },
    { v: 1, type: 'signal', callId, from: 'intruder01', to: null, description: { type: 'offer', sdp } },
    { v: 1, type: 'signal', callId, from: 'intruder01', to: null, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } },
  ];
}

describe('only invited people join a call', () => {
  let ledger: ResourceLedger;
  const strangers: Stranger[] = [];

  beforeEach(() => {
    ledger = trackResources();
  });

  afterEach(async () => {
    for (const stranger of strangers.splice(0)) stranger.close();
    await disconnectAll();
    ledger.restore();
  });

  it('gives a stranger who knows the call id nothing: no answer, no roster, no media, no connection', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob, carol]);
    const members = [alice, bob, carol];
    await waitUntil(
      () =>
        members.every((member) =>
          members.every((other) => other === member || member.connectionOf(idOf(other))?.connectionState === 'connected'),
        ),
      'the mesh never formed',
      { timeout: 15000 },
    );
    const callId = alice.call!.id;
    const errors = members.map(protocolErrors);
    const connectionsBefore = ledger.connections.length;
    const stranger = await connectStranger(`stranger${crypto.randomUUID().slice(0, 8)}`);
    strangers.push(stranger);
    const { connection, sdp } = await realOffer();
    try {
      for (const member of members) {
        for (const payload of intrusions(stranger, callId, members, sdp)) stranger.relay(idOf(member), payload);
      }
      // Rosters go round after any change: give them time to carry the stranger, had anyone let it in.
      await aTimeout(2000);
      expect(stranger.received, 'what the stranger was sent').to.deep.equal([]);
      expect(connection.signalingState, 'its offer was never answered').to.equal('have-local-offer');
      expect(ledger.connections.length - connectionsBefore, 'connections made to the stranger').to.equal(1);
      for (const [index, member] of members.entries()) {
        expect([...member.call!.participants.keys()], `${member.user!.name}'s participants`).to.not.include(stranger.userId);
        expect(member.call!.participants.size).to.equal(2);
        expect(member.connectionOf(stranger.userId), 'a connection to the stranger').to.equal(null);
        expect(errors[index], `${member.user!.name}'s reports`).to.deep.equal([stranger.userId]);
        expect(member.state).to.equal('active');
      }
      await waitForDecodedFrames(await remoteStream(bob, alice));
    } finally {
      connection.close();
    }
  });

  it('does not take back someone who declined unless a member invites them again', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    const callId = alice.call!.id;
    // Dave is a raw client: he reads his ring, declines, and then tries to come back on his own.
    const dave = await connectStranger(`dave${crypto.randomUUID().slice(0, 8)}`);
    strangers.push(dave);
    const bobErrors = protocolErrors(bob);
    await alice.invite([dave.userId]);
    const ringOf = () => dave.received.find(({ payload }) => (payload as { type?: string }).type === 'ring')?.payload as { secret: string } | undefined;
    await waitUntil(ringOf, 'dave was never rung');
    const ring = ringOf()!;
    const left = nextEvent(alice, 'call-participant-left', (event) => event.participant.id === dave.userId);
    dave.relay(idOf(alice), { v: 1, type: 'decline', callId, busy: false });
    expect((await left).reason).to.equal('declined');
    await waitUntil(() => !bob.call!.participants.has(dave.userId), 'bob still lists dave');

    const self = { id: dave.userId, name: 'Dave' };
    const { connection, sdp } = await realOffer();
    try {
      // The epoch of the invitation he declined, and the next one, which nobody issued.
      for (const epoch of [1, 2]) dave.relay(idOf(bob), { v: 1, type: 'join', callId, user: self, media, epoch, secret: ring.secret });
      dave.relay(idOf(bob), { v: 1, type: 'signal', callId, from: 'dave0001', to: null, description: { type: 'offer', sdp } });
      await aTimeout(1500);
      expect(bob.call!.participants.has(dave.userId), 'bob let dave back in').to.equal(false);
      expect(alice.call!.participants.has(dave.userId), 'alice let dave back in').to.equal(false);
      expect(dave.received.filter(({ from }) => from === peerIdOf(idOf(bob))), 'what bob sent dave').to.deep.equal([]);
      expect(bob.connectionOf(dave.userId)).to.equal(null);
      expect(bobErrors, 'he holds the invitation: not an intruder').to.deep.equal([]);

      // Alice invites him again: now bob takes his join (the one he kept is answered too).
      await alice.invite([dave.userId]);
      await waitUntil(() => bob.call!.participants.get(dave.userId)?.state === 'connecting', 'bob never took dave in after the new invitation', {
        timeout: 5000,
      });
    } finally {
      connection.close();
    }
  });

  it('asks the page who may ring it, before anything rings', async () => {
    let blocked: string[] = [];
    const asked: string[] = [];
    const bob = await connectParty('bob', {
      allowIncoming: ({ caller, conversationId, conversationTitle }) => {
        asked.push(`${caller.id}:${conversationId}:${conversationTitle}`);
        if (caller.id.startsWith('dave')) return new Promise((resolve) => setTimeout(() => resolve(false), 300));
        if (caller.id.startsWith('erin')) throw new Error('the page failed');
        // Alice is let through after a while, as a page that looks her up would.
        return caller.id.startsWith('alice') ? new Promise((resolve) => setTimeout(() => resolve(true), 300)) : !blocked.includes(caller.id);
      },
    });
    const carol = await connectParty('carol');
    const dave = await connectParty('dave');
    const erin = await connectParty('erin');
    blocked = [idOf(carol)];
    let rang = 0;
    bob.addEventListener('call-incoming', () => (rang += 1));
    const connectionsBefore = ledger.connections.length;
    for (const caller of [carol, dave, erin]) {
      const left = nextEvent(caller, 'call-participant-left');
      await caller.startCall({ conversationId: 'blocked', participants: [idOf(bob)], conversationTitle: 'Hello' });
      expect((await left).reason, `${caller.user!.name} hears`).to.equal('busy');
    }
    expect(rang, 'rings the page saw').to.equal(0);
    expect(bob.state).to.equal('idle');
    expect(ledger.connections.length - connectionsBefore, 'connections: the callers only').to.equal(3);
    expect(asked).to.deep.equal([`${idOf(carol)}:blocked:Hello`, `${idOf(dave)}:blocked:Hello`, `${idOf(erin)}:blocked:Hello`]);
    expect(bob.bufferedMessageCount, 'nothing kept of the refused rings').to.equal(0);

    // A caller the page lets through after a while: the offer sent meanwhile was kept.
    const alice = await connectParty('alice');
    await establishCall(alice, [bob], { video: true });
    await waitForDecodedFrames(await remoteStream(bob, alice));
    await waitForDecodedFrames(await remoteStream(alice, bob));
  });
});

describe('who may register with a checked signalling server (meshcall/server)', () => {
  let server: PeerServerInfo;

  before(async () => {
    server = (await (await fetch('/__checked-peer-server', { cache: 'no-store' })).json()) as PeerServerInfo;
  });

  afterEach(disconnectAll);

  it('registers users with a token the host app accepts, and they call each other', async () => {
    const id = (name: string) => `${name}${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const aliceId = id('alice');
    const bobId = id('bob');
    const alice = await connectParty('alice', { user: { id: aliceId }, server: { ...server, token: `token-for:${aliceId}` } });
    const bob = await connectParty('bob', { user: { id: bobId }, server: { ...server, token: `token-for:${bobId}` } });
    expect(alice.state).to.equal('idle');
    await establishCall(alice, [bob], { video: false });
    expect(bob.state).to.equal('active');
  });

  it('refuses a wrong token, no token, and a raw client posing as a user, as unauthorized', async () => {
    const victim = `victim${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    for (const token of [`token-for:${victim}x`, `token-for:someone`, undefined, `token-for:${victim}&token=token-for:${victim}`]) {
      const error = await connectParty('victim', { user: { id: victim }, server: { ...server, ...(token ? { token } : {}) } }).then(
        () => null,
        (rejection: { type?: string }) => rejection,
      );
      expect(error?.type, `token ${token}`).to.equal('unauthorized');
      expect(JSON.stringify(error) + String(error), 'the error quotes no credential').to.not.include('token-for');
    }
    const error = await connectStranger(victim, server, `token-for:${victim}1`).then(
      () => null,
      (rejection: Error) => rejection.message,
    );
    expect(error).to.include('Invalid token');
    // The real user still registers under that id.
    const real = await connectParty('victim', { user: { id: victim }, server: { ...server, token: `token-for:${victim}` } });
    expect(real.state).to.equal('idle');
  });
});

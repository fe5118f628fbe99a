import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { CallController } from '../src/controller/index.js';
import { REPAIR_TIMES } from '../src/controller/mesh/link-repair.js';
import { waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, recordLinks, remoteStream } from './support/parties.js';

/**
 * The step of the repair ladder that an ICE restart cannot take: a connection whose control channel
 * is gone is replaced by a fresh one, offered through the signalling server (the PeerServer here is
 * real). Network cuts of the media path are in test/network/path-cut.test.mjs.
 */
/** Every pair of parties sees each other. */
async function expectFullMesh(parties: CallController[]): Promise<void> {
  for (const viewer of parties) {
    await waitUntil(() => viewer.call?.participants.size === parties.length - 1, '', { timeout: 5000 }).catch(() => undefined);
    expect(viewer.call?.participants.size, `${viewer.user?.name}'s participants`).to.equal(parties.length - 1);
    for (const sender of parties) {
      if (sender !== viewer) await waitForDecodedFrames(await remoteStream(viewer, sender));
    }
  }
}

describe('reconnection with a fresh connection', () => {
  afterEach(disconnectAll);

  it('replaces a connection whose control channel closed, without dropping the participant', async () => {
    const links = recordLinks();
    try {
      const alice = await connectParty('alice');
      const bob = await connectParty('bob');
      await establishCall(alice, [bob]);
      await waitForDecodedFrames(await remoteStream(alice, bob));
      await waitForDecodedFrames(await remoteStream(bob, alice));
      const before = { alice: alice.connectionOf(idOf(bob)), bob: bob.connectionOf(idOf(alice)) };
      const left: string[] = [];
      for (const party of [alice, bob]) party.addEventListener('call-participant-left', ({ reason }) => left.push(reason));
      const reconnecting = nextEvent(alice, 'call-participant-change', ({ participant }) => participant.reconnecting);

      const cutAt = performance.now();
      expect(links.cut(alice, bob), 'link cut').to.equal(true);
      expect((await reconnecting).participant.state).to.equal('connecting');
      await waitUntil(
        () =>
          alice.connectionOf(idOf(bob)) !== before.alice &&
          bob.connectionOf(idOf(alice)) !== before.bob &&
          alice.call?.participants.get(idOf(bob))?.state === 'connected' &&
          bob.call?.participants.get(idOf(alice))?.state === 'connected',
        'no fresh connection came up',
        { timeout: REPAIR_TIMES.giveUpMs },
      );
      const bobSeen = await waitForDecodedFrames(alice.call!.participants.get(idOf(bob))!.stream!);
      const aliceSeen = await waitForDecodedFrames(bob.call!.participants.get(idOf(alice))!.stream!);
      const seconds = (performance.now() - cutAt) / 1000;
      console.log(`channel closed → fresh connection, frames both ways after ${seconds.toFixed(2)} s (${bobSeen.frames}/${aliceSeen.frames} frames)`);
      expect(left, 'nobody left').to.deep.equal([]);
      expect(alice.call!.participants.get(idOf(bob))!.reconnecting).to.equal(false);
      expect(before.alice!.connectionState, 'the old connection is closed').to.equal('closed');
      expect(alice.state).to.equal('active');
      expect(bob.state).to.equal('active');
    } finally {
      links.restore();
    }
  });

  it('drops a participant it cannot reconnect after the documented bound, with connection-lost', async () => {
    const links = recordLinks();
    try {
      const alice = await connectParty('alice');
      const bob = await connectParty('bob');
      await establishCall(alice, [bob]);
      await waitForDecodedFrames(await remoteStream(alice, bob));
      const aliceLostBob = nextEvent(alice, 'call-participant-left');
      const severedAt = performance.now();
      const severed = links.sever(alice, bob);
      try {
        const { reason } = await aliceLostBob;
        const seconds = (performance.now() - severedAt) / 1000;
        console.log(`an unmendable link dropped after ${seconds.toFixed(1)} s with ${severed.connections.size} connections tried`);
        expect(reason).to.equal('connection-lost');
        // The drain of a goodbye (1 s), then the bound; a few ticks of the ladder on a loaded machine.
        expect(seconds).to.be.within(REPAIR_TIMES.giveUpMs / 1000, REPAIR_TIMES.giveUpMs / 1000 + 8);
        // At most one fresh connection per 10 s: the first connection and three fresh ones, not a loop.
        expect(severed.connections.size).to.be.within(2, 4);
        await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', 'the 1:1 call did not end', { timeout: 10000 });
      } finally {
        severed.stop();
      }
    } finally {
      links.restore();
    }
  });

  it('keeps a group call whole when the link between two of its members fails', async () => {
    const links = recordLinks();
    try {
      const alice = await connectParty('alice');
      const bob = await connectParty('bob');
      const carol = await connectParty('carol');
      await establishCall(alice, [bob, carol]);
      await expectFullMesh([alice, bob, carol]);
      // A cut that repair cannot mend (a closed channel alone is mended: above).
      const carolLostBob = nextEvent(carol, 'call-participant-left');
      const severed = links.sever(carol, bob);
      try {
        expect((await carolLostBob).reason).to.equal('connection-lost');
      } finally {
        severed.stop();
      }
      await aTimeout(1000);
      expect(alice.state).to.equal('active');
      expect([...alice.call!.participants.keys()]).to.have.members([idOf(bob), idOf(carol)]);
      await waitForDecodedFrames(await remoteStream(alice, bob));
      await waitForDecodedFrames(await remoteStream(alice, carol));
      await waitForDecodedFrames(await remoteStream(bob, alice));
      await waitForDecodedFrames(await remoteStream(carol, alice));
    } finally {
      links.restore();
    }
  });

  it('reconnects two members whose link failed when one invites the other again', async () => {
    const links = recordLinks();
    try {
      const alice = await connectParty('alice');
      const bob = await connectParty('bob');
      const carol = await connectParty('carol');
      await establishCall(alice, [bob, carol]);
      await expectFullMesh([alice, bob, carol]);
      const severed = links.sever(carol, bob);
      try {
        await waitUntil(() => !carol.call?.participants.has(idOf(bob)) && !bob.call?.participants.has(idOf(carol)), 'the cut link stayed', {
          timeout: REPAIR_TIMES.giveUpMs + 10000,
        });
      } finally {
        severed.stop();
      }
      await carol.invite([idOf(bob)]);
      await expectFullMesh([alice, bob, carol]);
    } finally {
      links.restore();
    }
  });
});

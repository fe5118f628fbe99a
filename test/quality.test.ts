import { expect, waitUntil } from '@open-wc/testing';
import type { CallController, CallQualityChangeEvent } from '../src/controller/index.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent } from './support/parties.js';

const GOOD_LEVELS = ['excellent', 'good'];

describe('network quality of a real call on loopback', () => {
  afterEach(() => disconnectAll());

  it('measures each participant and the local uplink as excellent or good, with stats to read', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const events: CallQualityChangeEvent[] = [];
    alice.addEventListener('call-quality-change', (event) => events.push(event));
    await establishCall(alice, [bob]);

    for (const [viewer, other] of [[alice, bob], [bob, alice]] as Array<[CallController, CallController]>) {
      await waitUntil(
        () => viewer.call?.participants.get(idOf(other))?.networkQuality && viewer.call?.local.networkQuality,
        `${viewer.user?.name} measured no network quality`,
        { timeout: 10000 },
      );
      expect(GOOD_LEVELS, `${viewer.user?.name}'s view of ${other.user?.name}`).to.include(viewer.call!.participants.get(idOf(other))!.networkQuality);
      expect(GOOD_LEVELS, `${viewer.user?.name}'s uplink`).to.include(viewer.call!.local.networkQuality);
      const stats = viewer.statsOf(idOf(other))!;
      expect(stats.intervalMs).to.be.within(500, 2500);
      expect(stats.receiving).to.equal(true);
      expect(stats.receiveBitrate).to.be.greaterThan(20_000);
      expect(stats.framesReceived).to.be.greaterThan(0);
      expect(stats.rttMs).to.be.a('number').and.below(200);
      expect(stats.lossRatio).to.be.below(0.05);
    }
    const local = events.find((event) => event.participant.isLocal);
    const remote = events.find((event) => event.participant.id === idOf(bob));
    expect(local?.quality).to.be.oneOf(GOOD_LEVELS);
    expect(remote?.quality).to.be.oneOf(GOOD_LEVELS);
    expect(remote?.bubbles && remote?.composed).to.equal(true);
    // No camera is paused on a good network.
    expect(alice.call!.participants.get(idOf(bob))!.videoPaused).to.equal(false);

    // Sampling stops with the call.
    const ended = nextEvent(alice, 'call-ended');
    await alice.hangUp();
    await ended;
    expect(alice.statsOf(idOf(bob))).to.equal(null);
  });

  it('sends the ladder\'s encoding on a good network with adaptation on, and the data saver\'s when asked', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    const videoEncoding = () =>
      alice
        .connectionOf(idOf(bob))
        ?.getSenders()
        .find((sender) => sender.track?.kind === 'video')
        ?.getParameters().encodings?.[0];
    await waitUntil(() => alice.statsOf(idOf(bob)), 'no stats', { timeout: 8000 });
    await waitUntil(() => videoEncoding()?.maxBitrate === 1_500_000, `encoding: ${JSON.stringify(videoEncoding())}`, { timeout: 5000 });
    expect(videoEncoding()?.active).to.equal(true);

    alice.setDataSaver(true);
    expect(alice.dataSaver).to.equal(true);
    await waitUntil(() => videoEncoding()?.maxBitrate === 150_000, `encoding: ${JSON.stringify(videoEncoding())}`, { timeout: 5000 });
    expect(videoEncoding()?.maxFramerate).to.equal(15);
    expect(videoEncoding()?.scaleResolutionDownBy).to.be.at.least(240 / 180 - 0.01);
    alice.setDataSaver(false);
    await waitUntil(() => videoEncoding()?.maxBitrate === 1_500_000, `encoding: ${JSON.stringify(videoEncoding())}`, { timeout: 5000 });
  });
});

import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/define.js';
import type { CallSpeakingChangeEvent } from '../src/controller/index.js';
import type { CallGrid } from '../src/elements/call-grid/call-grid.js';
import { waitForNewFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf } from './support/parties.js';

const tileOf = (grid: CallGrid, id: string) => grid.shadowRoot!.querySelector<HTMLElement>(`[part~="tile"][data-participant-id="${CSS.escape(id)}"]`);

/**
 * Chromium's fake microphone beeps twice a second, Firefox's plays a constant tone: both are
 * "voice" to the detector, so whoever has the microphone on speaks.
 */
describe('speaking indicators in a real call', () => {
  afterEach(() => disconnectAll());

  it("shows the far side the speaker's indicator while their fake microphone plays, and takes it off when they mute", async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const seenByBob: CallSpeakingChangeEvent[] = [];
    bob.addEventListener('call-speaking-change', (event) => seenByBob.push(event));
    const grid = await fixture<CallGrid>(html`<call-grid .controller=${bob} style="width: 640px"></call-grid>`);
    await establishCall(alice, [bob], { video: false });
    const aliceAtBob = () => bob.call?.participants.get(idOf(alice));

    await waitUntil(() => aliceAtBob()?.speaking, 'Bob never saw Alice speaking', { timeout: 8000 });
    const on = seenByBob.find((event) => event.participant.id === idOf(alice));
    expect(on?.speaking).to.equal(true);
    expect(on?.bubbles && on.composed).to.equal(true);
    await grid.updateComplete;
    await waitUntil(() => tileOf(grid, idOf(alice))?.hasAttribute('data-speaking'), 'no ring on Alice\'s card');
    expect(tileOf(grid, idOf(alice))!.querySelector('[part~="speaking"]')!.getAttribute('aria-label')).to.equal('Speaking');
    // Her own page sees her speaking too, from her microphone.
    await waitUntil(() => alice.call?.local.speaking, 'Alice never saw herself speaking', { timeout: 8000 });
    // Nobody was muted: Bob's voice reaches Alice, and Alice is Bob's active speaker (Bob is never his own).
    await waitUntil(() => alice.call?.participants.get(idOf(bob))?.speaking, 'Alice never saw Bob speaking', { timeout: 8000 });
    expect(bob.call!.activeSpeakerId).to.equal(idOf(alice));

    const muted = performance.now();
    await alice.setMicrophoneEnabled(false);
    await waitUntil(() => aliceAtBob()?.speaking === false, 'Alice still speaking at Bob after muting', { timeout: 5000 });
    expect(performance.now() - muted).to.be.below(3000);
    expect(alice.call!.local.speaking).to.equal(false);
    await grid.updateComplete;
    expect(tileOf(grid, idOf(alice))!.hasAttribute('data-speaking')).to.equal(false);
    // And stays off while she is muted (her track sends silence).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(aliceAtBob()!.speaking).to.equal(false);
    expect(seenByBob.filter((event) => event.participant.id === idOf(alice)).map((event) => event.speaking)).to.deep.equal([true, false]);

    await alice.setMicrophoneEnabled(true);
    await waitUntil(() => aliceAtBob()?.speaking, 'Alice unmuted but never seen speaking again', { timeout: 8000 });
  });

  it('puts the one who speaks on the speaker layout\'s stage, and moves it to the next speaker', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    // A voice call with one camera on: a video layout at Bob's, with two video streams to encode rather than six.
    await establishCall(alice, [bob, carol], { video: false });
    await waitUntil(() => [bob, carol].every((viewer) => viewer.call?.participants.size === 2 && [...viewer.call.participants.values()].every((p) => p.state === 'connected')), 'mesh never complete', { timeout: 15000 });
    await alice.setCameraEnabled(true);
    // Only Carol speaks at first.
    await bob.setMicrophoneEnabled(false);
    await alice.setMicrophoneEnabled(false);
    const grid = await fixture<CallGrid>(html`<call-grid .controller=${bob} layout="speaker" style="width: 800px"></call-grid>`);
    const stage = () => grid.shadowRoot!.querySelector<HTMLElement>('.tile--large')?.dataset.participantId;
    await waitUntil(() => bob.call?.activeSpeakerId === idOf(carol), 'Carol never on the stage', { timeout: 15000 });
    await grid.updateComplete;
    expect(grid.shadowRoot!.querySelector<HTMLElement>('[part~="base"]')!.dataset.layout).to.equal('speaker');
    expect(stage()).to.equal(idOf(carol));

    // Carol stops, Alice starts: the stage moves once Alice has spoken 1.5 s.
    await carol.setMicrophoneEnabled(false);
    const handover = performance.now();
    await alice.setMicrophoneEnabled(true);
    await waitUntil(() => bob.call?.activeSpeakerId === idOf(alice), 'the stage never moved to Alice', { timeout: 15000 });
    expect(performance.now() - handover).to.be.at.least(1500);
    await grid.updateComplete;
    expect(stage()).to.equal(idOf(alice));
  });

  it('overlays the remote tile with the stats of the connection: a resolution and a frame rate above 0', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const grid = await fixture<CallGrid>(html`<call-grid .controller=${bob} show-stats style="width: 640px"></call-grid>`);
    await establishCall(alice, [bob], { video: true });
    await waitUntil(() => tileOf(grid, idOf(alice))?.querySelector('video')?.srcObject, 'no video for Alice');
    await waitForNewFrames(tileOf(grid, idOf(alice))!.querySelector('video')!);
    const figures = (): Record<string, string> =>
      Object.fromEntries(
        [...(tileOf(grid, idOf(alice))?.querySelectorAll('[part~="stats"] .stats-row') ?? [])].map((row) => [row.querySelector('dt')!.textContent, row.querySelector('dd')!.textContent]),
      );
    await waitUntil(() => figures()['Frame rate'] && parseFloat(figures()['Frame rate']) > 0, `figures: ${JSON.stringify(figures())}`, { timeout: 8000 });
    const shown = figures();
    expect(shown.Resolution).to.match(/^\d+×\d+$/);
    expect(parseInt(shown.Resolution, 10)).to.be.greaterThan(0);
    expect(shown.Codec).to.match(/^(VP8|VP9|H264|AV1)$/i);
    expect(shown.Bitrate).to.match(/bit\/s$/);
    // Refreshed at each sample: the overlay follows the controller's latest stats.
    const before = bob.statsOf(idOf(alice))!.timestamp;
    await waitUntil(() => bob.statsOf(idOf(alice))!.timestamp > before, 'no new sample', { timeout: 5000 });
    await grid.updateComplete;
    const latest = bob.statsOf(idOf(alice))!;
    expect(figures().Bitrate).to.equal(
      latest.receiveBitrate >= 1_000_000 ? `${(latest.receiveBitrate / 1_000_000).toFixed(1)} Mbit/s` : `${Math.round(latest.receiveBitrate / 1000)} kbit/s`,
    );
    expect(tileOf(grid, idOf(bob))!.querySelector('[part~="stats"]')).to.equal(null);
  });
});

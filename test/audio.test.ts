import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/define.js';
import type { CallController } from '../src/controller/index.js';
import type { CallGrid } from '../src/elements/call-grid/call-grid.js';
import { waitForAudio, waitForNewFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent } from './support/parties.js';

/**
 * What a person hears: the element that plays `sender`'s voice on `listener`'s page is unmuted,
 * playing, has data and moves on, and what it plays carries sound.
 */
async function expectHears(listener: CallController, sender: CallController): Promise<void> {
  const who = `${listener.user!.name} hearing ${sender.user!.name}`;
  let element: HTMLAudioElement | undefined;
  await waitUntil(() => (element = listener.audioElements.get(idOf(sender))) && element.readyState >= 2 && !element.paused, `${who}: nothing plays`, {
    timeout: 10000,
  });
  expect(element!.muted, `${who}: muted`).to.equal(false);
  expect(element!.volume, `${who}: volume`).to.be.greaterThan(0);
  const before = element!.currentTime;
  await waitUntil(() => element!.currentTime > before + 0.2, `${who}: playback does not advance`, { timeout: 5000 });
  await waitForAudio(element!.srcObject as MediaStream);
}

describe('what people hear', () => {
  afterEach(() => disconnectAll());

  it('plays a 1:1 voice call both ways, on a page with no call-grid', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    expect(document.querySelector('call-grid')).to.equal(null);
    await establishCall(alice, [bob], { video: false });
    await expectHears(alice, bob);
    await expectHears(bob, alice);
    expect(alice.audioBlocked).to.equal(false);
  });

  it('plays a video call answered without video', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const ring = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c', participants: [idOf(bob)], video: true });
    await ring;
    await bob.accept({ video: false });
    await expectHears(alice, bob);
    await expectHears(bob, alice);
  });

  it('plays everyone to everyone in a 3-person voice call', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob, carol], { video: false });
    for (const listener of [alice, bob, carol]) {
      for (const sender of [alice, bob, carol]) if (sender !== listener) await expectHears(listener, sender);
    }
  });

  it('keeps playing while the grid is taken off the page and put back, whose video then plays again', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const grid = await fixture<CallGrid>(html`<call-grid .controller=${alice}></call-grid>`);
    await establishCall(alice, [bob], { video: true });
    await expectHears(alice, bob);
    const element = alice.audioElements.get(idOf(bob))!;
    // What a single-page app's navigation does: the call's elements go, and come back on another view.
    const seen: string[] = [];
    const watching = new AbortController();
    for (const controller of [alice, bob]) {
      const name = controller.user!.name;
      for (const type of ['call-state-change', 'call-incoming', 'call-ended', 'call-participant-left'] as const) {
        controller.addEventListener(type, () => seen.push(`${name}: ${type}`), { signal: watching.signal });
      }
    }
    let pausedMeanwhile = false;
    element.addEventListener('pause', () => (pausedMeanwhile = true));
    const parent = grid.parentElement!;
    grid.remove();
    await expectHears(alice, bob);
    expect(alice.audioElements.get(idOf(bob)), 'the same element, never restarted').to.equal(element);
    parent.append(grid);
    await grid.updateComplete;
    const tile = grid.shadowRoot!.querySelector<HTMLElement>(`[data-participant-id="${CSS.escape(idOf(bob))}"]`)!;
    await waitForNewFrames(tile.querySelector('video')!);
    await expectHears(alice, bob);
    expect(pausedMeanwhile, 'the sound stopped meanwhile').to.equal(false);
    watching.abort();
    expect(seen, 'no ring, no state change, nobody left').to.deep.equal([]);
    expect(alice.state).to.equal('active');
  });

  it('keeps playing while a camera is turned off and on', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob], { video: true });
    await expectHears(alice, bob);
    await bob.setCameraEnabled(false);
    await waitUntil(() => !alice.call!.participants.get(idOf(bob))!.cameraEnabled, 'alice never saw the camera go off');
    await expectHears(alice, bob);
    await bob.setCameraEnabled(true);
    await waitUntil(() => alice.call!.participants.get(idOf(bob))!.cameraEnabled, 'alice never saw the camera come back');
    await expectHears(alice, bob);
    await expectHears(bob, alice);
  });

  it('tells the page when the browser blocks sound, and plays it on resumeAudio()', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const play = HTMLMediaElement.prototype.play;
    // The test browsers allow autoplay: refuse it as a browser does before any user gesture.
    let gestured = false;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      return gestured ? play.call(this) : Promise.reject(new DOMException('No gesture yet', 'NotAllowedError'));
    };
    try {
      const blocked = nextEvent(alice, 'call-audio-playback', (event) => event.blocked);
      await establishCall(alice, [bob], { video: false });
      await blocked;
      expect(alice.audioBlocked).to.equal(true);
      const grid = await fixture<CallGrid>(html`<call-grid .controller=${alice}></call-grid>`);
      const button = grid.shadowRoot!.querySelector<HTMLButtonElement>('[part~="enable-sound"]');
      expect(button, 'no "enable sound" action is shown').to.not.equal(null);
      gestured = true;
      const unblocked = nextEvent(alice, 'call-audio-playback', (event) => !event.blocked);
      button!.click();
      await unblocked;
      await expectHears(alice, bob);
      await grid.updateComplete;
      expect(grid.shadowRoot!.querySelector('[part~="enable-sound"]')).to.equal(null);
    } finally {
      HTMLMediaElement.prototype.play = play;
    }
  });
});

import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/define.js';
import type { CallController } from '../src/controller/index.js';
import type { CallPreview } from '../src/elements/call-preview/call-preview.js';
import { waitForAudio, waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, idOf, nextEvent, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';

const part = (el: CallPreview, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

/** The preview element on `controller`'s page, opened as a user does: the button, then the meter moving. */
async function openPreview(controller: CallController, attributes = { conversation: '', participants: '' }): Promise<CallPreview> {
  const el = await fixture<CallPreview>(
    html`<call-preview .controller=${controller} conversation=${attributes.conversation} participants=${attributes.participants}></call-preview>`,
  );
  part(el, 'start-button')!.click();
  await waitUntil(() => part(el, 'meter'), 'the preview never opened', { timeout: 10000 });
  return el;
}

/** The meter shows the fake microphone's sound: its value rises above silence, and changes (Chromium's fake beeps). */
async function expectMeterMoves(el: CallPreview): Promise<void> {
  const meter = part(el, 'meter')!;
  const seen = new Set<string>();
  await waitUntil(
    () => {
      seen.add(meter.getAttribute('aria-valuenow')!);
      return [...seen].some((value) => Number(value) >= 5) && seen.size >= 2;
    },
    `the meter does not move (saw ${[...seen].join(', ')})`,
    { timeout: 10000, interval: 100 },
  );
  expect(Number(getComputedStyle(meter).getPropertyValue('--level'))).to.be.at.least(0);
}

/** The far side's `<audio>` for `sender` plays, moves on and carries sound. */
async function expectHears(listener: CallController, sender: CallController): Promise<void> {
  let element: HTMLAudioElement | undefined;
  await waitUntil(() => (element = listener.audioElements.get(idOf(sender))) && element.readyState >= 2 && !element.paused, 'nothing plays', { timeout: 10000 });
  expect(element!.muted).to.equal(false);
  const before = element!.currentTime;
  await waitUntil(() => element!.currentTime > before + 0.2, 'playback does not advance', { timeout: 5000 });
  await waitForAudio(element!.srcObject as MediaStream, { timeout: 10000 });
}

describe('the pre-join preview, with real controllers over a real PeerServer', () => {
  let ledger: ResourceLedger;

  beforeEach(() => {
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    expect(ledger.liveTracks(), 'tracks left running').to.have.length(0);
    ledger.restore();
  });

  it('releases every track when the preview closes without a call', async () => {
    const alice = await connectParty('alice');
    const el = await openPreview(alice);
    await expectMeterMoves(el);
    expect(ledger.liveTracks().map((track) => track.kind).sort()).to.deep.equal(['audio', 'video']);
    expect((part(el, 'video') as HTMLVideoElement).srcObject).to.equal(alice.preview!.stream);
    await waitForDecodedFrames(alice.preview!.stream, { minFrames: 3 });
    part(el, 'close-button')!.click();
    await waitUntil(() => alice.preview === null, 'the preview stays open');
    expect(ledger.liveTracks(), 'tracks of a closed preview').to.have.length(0);
    expect(part(el, 'start-button')).to.exist;
  });

  it('starts a call from the preview with the camera off, on its tracks, then turns the camera on', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const el = await openPreview(alice, { conversation: 'c-preview', participants: idOf(bob) });
    await expectMeterMoves(el);
    const microphone = alice.preview!.stream.getAudioTracks()[0];
    const opened = ledger.tracks.length;

    part(el, 'camera-option')!.querySelector('input')!.click();
    await waitUntil(() => alice.preview && !alice.preview.cameraEnabled, 'the camera stays on');
    expect(ledger.liveTracks().map((track) => track.kind), 'the camera released').to.deep.equal(['audio']);

    const ring = nextEvent(bob, 'call-incoming');
    part(el, 'join-button')!.click();
    await ring;
    expect(alice.preview, 'the call took the preview over').to.equal(null);
    expect(alice.call!.video, 'placed as the preview had the camera').to.equal(false);
    expect(alice.call!.local.stream!.getAudioTracks()[0], 'the preview\'s microphone, not a second one').to.equal(microphone);
    expect(ledger.tracks.length, 'no device opened again').to.equal(opened);
    await bob.accept({ video: false });

    await expectHears(bob, alice);
    await alice.setCameraEnabled(true);
    const frames = await waitForDecodedFrames(await remoteStream(bob, alice), { minFrames: 5, timeout: 15000 });
    expect(frames.width).to.be.greaterThan(0);

    await alice.hangUp();
    await waitUntil(() => bob.state === 'idle' && alice.state === 'idle', 'the call did not end', { timeout: 10000 });
    expect(ledger.liveTracks(), 'tracks left after hang-up').to.have.length(0);
  });

  it('answers a ringing call from the preview with the camera on: the caller sees the preview\'s camera', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const ring = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c-answer', participants: [idOf(bob)], video: true });
    await ring;
    const el = await openPreview(bob);
    await expectMeterMoves(el);
    const camera = bob.preview!.stream.getVideoTracks()[0];
    const opened = ledger.tracks.length;
    expect(part(el, 'join-button')!.textContent!.trim()).to.equal('Join call');
    part(el, 'join-button')!.click();
    await waitUntil(() => alice.state === 'active', 'the caller never became active', { timeout: 10000 });
    expect(bob.call!.local.stream!.getVideoTracks()[0], 'the preview\'s camera').to.equal(camera);
    expect(ledger.tracks.length, 'no device opened again').to.equal(opened);

    const frames = await waitForDecodedFrames(await remoteStream(alice, bob), { minFrames: 5, timeout: 15000 });
    expect(frames.width).to.be.greaterThan(0);
    await expectHears(alice, bob);

    await bob.hangUp();
    await waitUntil(() => alice.state === 'idle', 'the call did not end', { timeout: 10000 });
    expect(ledger.liveTracks(), 'tracks left after hang-up').to.have.length(0);
  });

  it('releases the preview when the call that rang meanwhile ends, and on disconnect', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const ring = nextEvent(bob, 'call-incoming');
    await alice.startCall({ conversationId: 'c-cancel', participants: [idOf(bob)], video: false });
    await ring;
    await bob.startPreview();
    expect(ledger.liveTracks().length).to.be.greaterThan(1);
    const ended = nextEvent(bob, 'call-ended');
    await alice.hangUp();
    expect((await ended).reason).to.equal('missed');
    expect(bob.preview).to.equal(null);
    expect(ledger.liveTracks(), 'the missed call\'s preview').to.have.length(0);

    await bob.startPreview({ video: false });
    expect(bob.preview!.cameraEnabled).to.equal(false);
    await bob.disconnect();
    expect(bob.preview).to.equal(null);
    expect(ledger.liveTracks(), 'the preview after disconnect').to.have.length(0);
  });

  it('refuses a preview during a call', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await alice.startCall({ conversationId: 'c-busy', participants: [idOf(bob)], video: false });
    let refused: unknown;
    await alice.startPreview().catch((error: unknown) => (refused = error));
    expect((refused as { type?: string })?.type).to.equal('invalid-state');
  });
});

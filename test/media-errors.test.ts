import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/define.js';
import type { CallError, MediaControls } from '../src/index.js';
import { waitForAudio, waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';

// Devices that cannot be opened as asked, in the tests' browsers with their fake devices. A refused
// permission needs a browser launched to refuse it: test/cross-browser/permissions.test.mjs.

/** Every call-error of that controller, in order. */
function errorsOf(controller: EventTarget): CallError[] {
  const errors: CallError[] = [];
  controller.addEventListener('call-error', (event) => errors.push((event as Event & { error: CallError }).error));
  return errors;
}

async function expectReleased(ledger: ResourceLedger): Promise<void> {
  await waitUntil(() => ledger.liveTracks().length === 0 && ledger.openConnections().length === 0, '', { timeout: 5000 }).catch(() => {
    throw new Error(`${ledger.liveTracks().length} live tracks, ${ledger.openConnections().length} open peer connections`);
  });
}

const toggle = (controls: MediaControls, name: string) => controls.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${name}"]`)!;

describe('devices that cannot be opened as asked, over a real PeerServer', () => {
  let ledger: ResourceLedger;

  beforeEach(() => {
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    ledger.restore();
  });

  it('turns a video call whose camera cannot meet the constraints into a voice call, and says so', async () => {
    const alice = await connectParty('alice', { media: { video: { width: { min: 100000 } } } });
    const bob = await connectParty('bob');
    const controls = await fixture<MediaControls>(html`<media-controls .controller=${alice}></media-controls>`);
    const errors = errorsOf(alice);
    const unavailable = nextEvent(alice, 'call-device-availability');
    await establishCall(alice, [bob], { video: true });

    expect(errors.map((error) => [error.type, error.device])).to.deep.equal([['overconstrained', 'camera']]);
    expect(errors[0].message).to.match(/width/);
    const event = await unavailable;
    expect([event.device, event.available]).to.deep.equal(['camera', false]);
    expect([alice.cameraAvailable, alice.cameraEnabled, alice.microphoneAvailable, alice.microphoneEnabled]).to.deep.equal([false, false, true, true]);
    await controls.updateComplete;
    const camera = toggle(controls, 'camera-button');
    expect(camera.hasAttribute('data-unavailable'), 'the camera is shown unavailable').to.equal(true);
    expect(camera.title).to.equal('Camera unavailable');
    expect(toggle(controls, 'microphone-button').hasAttribute('data-unavailable')).to.equal(false);

    const level = await waitForAudio(await remoteStream(bob, alice));
    expect(level.rms, 'bob hears alice').to.be.greaterThan(0.01);
    expect(bob.call!.participants.get(idOf(alice))!.cameraEnabled, 'bob sees a voice call').to.equal(false);
    await alice.hangUp();
    await waitUntil(() => bob.state === 'idle');
    await expectReleased(ledger);
  });

  it('answers receive-only when no microphone matches, and hears and sees the caller', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob', { media: { audio: { deviceId: { exact: 'missing' } } } });
    const controls = await fixture<MediaControls>(html`<media-controls .controller=${bob}></media-controls>`);
    const errors = errorsOf(bob);
    await establishCall(alice, [bob], { video: true });

    expect(errors.map((error) => [error.type, error.device])).to.deep.equal([['device-not-found', 'microphone']]);
    expect([bob.state, bob.microphoneAvailable, bob.microphoneEnabled, bob.cameraEnabled]).to.deep.equal(['active', false, false, true]);
    await controls.updateComplete;
    const microphone = toggle(controls, 'microphone-button');
    expect(microphone.hasAttribute('data-unavailable')).to.equal(true);
    expect(microphone.getAttribute('aria-pressed')).to.equal('false');

    const fromAlice = await remoteStream(bob, alice);
    const frames = await waitForDecodedFrames(fromAlice);
    expect(frames.frames, 'bob sees alice').to.be.greaterThan(0);
    await waitForAudio(fromAlice);
    await waitForDecodedFrames(await remoteStream(alice, bob));

    // Turning it on tries again, and fails the same way, with no track left behind.
    let refused: CallError | null = null;
    await bob.setMicrophoneEnabled(true).catch((error: CallError) => (refused = error));
    expect(refused!.type).to.equal('device-not-found');
    expect(bob.microphoneAvailable).to.equal(false);

    await bob.hangUp();
    await waitUntil(() => alice.state === 'idle');
    await expectReleased(ledger);
    expect(ledger.tracks.filter((track) => track.kind === 'audio').length, "only alice's microphone was opened").to.equal(1);
  });
});

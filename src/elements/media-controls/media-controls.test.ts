import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../define.js';
import { CallController, CallError, type CallEndedEvent, type CallErrorEvent, type CallState } from '../../controller/index.js';
import { FakeController, participant } from '../../../test/support/fake-controller.js';
import { waitForNewFrames } from '../../../test/support/media.js';
import { peerServer } from '../../../test/support/peer-server.js';
import type { CallGrid } from '../call-grid/call-grid.js';
import type { CallCameraToggleEvent, CallMicrophoneToggleEvent, CallScreenShareToggleEvent, MediaControls } from './media-controls.js';

/** Puts the fake in `state` with a call whose local media is up, or still starting without `mediaReady`. */
function enterCall(fake: FakeController, state: CallState, { mediaReady = true } = {}): void {
  fake.enter(state, { local: { stream: mediaReady ? new MediaStream() : null } });
}

async function fakeControls({ showWhenIdle = false } = {}): Promise<{ el: MediaControls; fake: FakeController }> {
  const fake = new FakeController();
  const el = await fixture<MediaControls>(html`<media-controls .controller=${fake} ?show-when-idle=${showWhenIdle}></media-controls>`);
  return { el, fake };
}

const part = (el: HTMLElement, name: string) => el.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${name}"]`)!;
const buttons = (el: MediaControls) => ['microphone-button', 'camera-button', 'screen-share-button', 'hangup-button'].map((name) => part(el, name));
const disabled = (button: HTMLElement) => button.getAttribute('aria-disabled') === 'true';

describe('<media-controls> with a fake controller', () => {
  it('renders a labelled toolbar with parts and icons', async () => {
    const { el } = await fakeControls({ showWhenIdle: true });
    const toolbar = part(el, 'base');
    expect(toolbar.getAttribute('role')).to.equal('toolbar');
    expect(toolbar.getAttribute('aria-label')).to.equal('Call controls');
    for (const button of buttons(el)) {
      expect(button.tagName).to.equal('BUTTON');
      expect(button.querySelector('[part~="icon"]')).to.exist;
    }
    el.label = 'Meeting controls';
    await el.updateComplete;
    expect(toolbar.getAttribute('aria-label')).to.equal('Meeting controls');
    await expect(el).to.be.accessible();
  });

  it('hides the toolbar outside a call, and shows it for a call', async () => {
    const { el, fake } = await fakeControls();
    expect(part(el, 'base').getBoundingClientRect().height).to.equal(0);
    expect(buttons(el).every((button) => button.checkVisibility() === false)).to.be.true;
    enterCall(fake, 'outgoing');
    await el.updateComplete;
    expect(buttons(el).every((button) => button.checkVisibility())).to.be.true;
    fake.setState('ending', null);
    await el.updateComplete;
    expect(buttons(el).every((button) => button.checkVisibility() === false)).to.be.true;
    await expect(el).to.be.accessible();
  });

  it('with show-when-idle, shows every button outside a call, disabled, exposing why', async () => {
    const { el, fake } = await fakeControls({ showWhenIdle: true });
    expect(el.showWhenIdle).to.be.true;
    expect(buttons(el).every((button) => button.checkVisibility())).to.be.true;
    for (const button of buttons(el)) {
      expect(disabled(button), button.getAttribute('part')!).to.be.true;
      const reason = el.shadowRoot!.getElementById(button.getAttribute('aria-describedby')!)!;
      expect(reason.textContent).to.equal('Available during a call');
    }
    for (const button of buttons(el)) button.click();
    expect(fake.calls).to.deep.equal([]);
  });

  for (const state of ['disconnected', 'connecting', 'idle', 'incoming', 'ending'] as CallState[]) {
    it(`disables every button in state ${state}`, async () => {
      const { el, fake } = await fakeControls({ showWhenIdle: true });
      enterCall(fake, state);
      await el.updateComplete;
      expect(buttons(el).map(disabled)).to.deep.equal([true, true, true, true]);
    });
  }

  it('enables everything in an active call', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    expect(buttons(el).map(disabled)).to.deep.equal([false, false, false, false]);
    expect(buttons(el).map((button) => button.hasAttribute('aria-describedby'))).to.deep.equal([false, false, false, false]);
    expect(part(el, 'hangup-button').textContent!.trim()).to.equal('Hang up');
    await expect(el).to.be.accessible();
  });

  it('shows a refused microphone as unavailable, saying why, and tries to open it when pressed', async () => {
    const { el, fake } = await fakeControls();
    fake.enter('active', { local: { stream: new MediaStream(), microphoneEnabled: false } });
    fake.setUnavailable('microphone', new CallError('permission-denied', 'Access to the microphone was denied.', { device: 'microphone' }));
    await el.updateComplete;
    const microphone = part(el, 'microphone-button');
    expect(microphone.getAttribute('aria-pressed')).to.equal('false');
    expect(microphone.hasAttribute('data-unavailable')).to.equal(true);
    expect(microphone.querySelector('[part="unavailable-badge"]'), 'the badge').to.not.equal(null);
    const description = el.shadowRoot!.getElementById(microphone.getAttribute('aria-describedby')!)!;
    expect(description.textContent).to.equal('Microphone unavailable: access was denied');
    expect(part(el, 'camera-button').hasAttribute('data-unavailable'), 'the camera is not').to.equal(false);
    await expect(el).to.be.accessible();

    microphone.click();
    await waitUntil(() => !microphone.hasAttribute('data-unavailable'), 'the microphone stayed unavailable');
    expect(fake.calls).to.deep.include(['setMicrophoneEnabled', true]);
    expect(microphone.getAttribute('aria-pressed')).to.equal('true');
    expect(microphone.hasAttribute('aria-describedby')).to.equal(false);
  });

  it('offers to cancel an outgoing call, and waits for local media before the toggles', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'outgoing', { mediaReady: false });
    await el.updateComplete;
    expect(buttons(el).map(disabled)).to.deep.equal([true, true, true, false]);
    expect(part(el, 'hangup-button').textContent!.trim()).to.equal('Cancel call');
    const reason = el.shadowRoot!.getElementById(part(el, 'camera-button').getAttribute('aria-describedby')!)!;
    expect(reason.textContent).to.equal('Starting the microphone and camera…');

    enterCall(fake, 'outgoing');
    await el.updateComplete;
    expect(buttons(el).map(disabled)).to.deep.equal([false, false, false, false]);
  });

  it('reflects the microphone and camera in aria-pressed with fixed labels', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    const [microphone, camera] = buttons(el);
    expect(microphone.getAttribute('aria-pressed')).to.equal('true');
    expect(camera.getAttribute('aria-pressed')).to.equal('true');
    expect(microphone.textContent!.trim()).to.equal('Microphone');
    expect(camera.textContent!.trim()).to.equal('Camera');

    microphone.click();
    await waitUntil(() => microphone.getAttribute('aria-pressed') === 'false');
    camera.click();
    await waitUntil(() => camera.getAttribute('aria-pressed') === 'false');
    expect(microphone.textContent!.trim()).to.equal('Microphone');
    expect(fake.calls).to.deep.equal([
      ['setMicrophoneEnabled', false],
      ['setCameraEnabled', false],
    ]);
    await expect(el).to.be.accessible();
  });

  it('shows a microphone or camera that is off in red, white on it', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    const on = getComputedStyle(part(el, 'camera-button')).backgroundColor;
    await fake.setMicrophoneEnabled(false);
    await el.updateComplete;
    expect(part(el, 'microphone-button').getAttribute('aria-pressed')).to.equal('false');
    const off = getComputedStyle(part(el, 'microphone-button'));
    // After the background's short transition.
    await waitUntil(() => off.backgroundColor === 'rgb(197, 34, 31)', `off is ${off.backgroundColor}`, { timeout: 2000 });
    expect(off.color).to.equal('rgb(255, 255, 255)');
    expect(on).to.not.equal(off.backgroundColor);
    await expect(el).to.be.accessible();
  });

  it('fires call-microphone-toggle and call-camera-toggle with the requested state', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    fake.call!.local.cameraEnabled = false;
    await el.updateComplete;

    setTimeout(() => part(el, 'microphone-button').click());
    const microphone = (await oneEvent(el, 'call-microphone-toggle')) as unknown as CallMicrophoneToggleEvent;
    expect(microphone.enabled).to.be.false;
    expect(microphone.bubbles && microphone.composed && microphone.cancelable).to.be.true;

    setTimeout(() => part(el, 'camera-button').click());
    const camera = (await oneEvent(el, 'call-camera-toggle')) as unknown as CallCameraToggleEvent;
    expect(camera.enabled).to.be.true;
    expect(camera.bubbles && camera.composed && camera.cancelable).to.be.true;
    await aTimeout(0);
    expect(fake.calls).to.deep.equal([
      ['setMicrophoneEnabled', false],
      ['setCameraEnabled', true],
    ]);
  });

  it('leaves the controller alone when an event is cancelled', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    const cancel = (event: Event) => event.preventDefault();
    el.addEventListener('call-microphone-toggle', cancel);
    el.addEventListener('call-camera-toggle', cancel);
    el.addEventListener('call-screen-share-toggle', cancel);
    el.addEventListener('call-hangup', cancel);
    for (const button of buttons(el)) button.click();
    await aTimeout(0);
    expect(fake.calls).to.deep.equal([]);
    expect(fake.state).to.equal('active');
  });

  it('hangs up through the controller after call-hangup', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    setTimeout(() => part(el, 'hangup-button').click());
    const event = await oneEvent(el, 'call-hangup');
    expect(event.cancelable).to.be.true;
    await aTimeout(0);
    expect(fake.calls).to.deep.equal([['hangUp']]);
    await el.updateComplete;
    expect(buttons(el).map(disabled)).to.deep.equal([true, true, true, true]);
  });

  it('re-dispatches a rejection from the controller as call-error', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    const error = new CallError('device-in-use', 'The camera is in use by another program.');
    fake.refuse('setCameraEnabled', error);
    setTimeout(() => part(el, 'camera-button').click());
    const event = (await oneEvent(el, 'call-error')) as unknown as CallErrorEvent;
    expect(event.error).to.equal(error);
    expect(event.bubbles && event.composed).to.be.true;
  });

  it("takes a page's custom properties set on an ancestor", async () => {
    const fake = new FakeController();
    const page = await fixture<HTMLElement>(html`
      <div style="--meshcall-control-size: 40px; --meshcall-hangup-background: rgb(1, 2, 3)">
        <media-controls .controller=${fake}></media-controls>
      </div>
    `);
    const el = page.querySelector('media-controls')!;
    enterCall(fake, 'active');
    await el.updateComplete;
    expect(part(el, 'microphone-button').getBoundingClientRect().width).to.equal(40);
    expect(getComputedStyle(part(el, 'hangup-button')).backgroundColor).to.equal('rgb(1, 2, 3)');
  });

  it('offers to enable sound first while the browser blocks it, and asks the controller on a click', async () => {
    const { el, fake } = await fakeControls();
    enterCall(fake, 'active');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~="enable-sound-button"]')).to.equal(null);
    fake.setAudioBlocked(true);
    await el.updateComplete;
    const sound = part(el, 'enable-sound-button');
    expect(sound.textContent).to.contain('Enable sound');
    await expect(el).to.be.accessible();
    sound.click();
    expect(fake.calls).to.deep.equal([['resumeAudio']]);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~="enable-sound-button"]')).to.equal(null);
  });

  it('moves between buttons with arrow keys, with one tab stop', async () => {
    const fake = new FakeController();
    const el = await fixture<MediaControls>(html`
      <media-controls .controller=${fake}>
        <button slot="extra" type="button">Devices</button>
      </media-controls>
    `);
    enterCall(fake, 'active');
    await el.updateComplete;
    const share = el.querySelector('button')!;
    const [microphone, camera, screen, hangup] = buttons(el);
    const order = [microphone, camera, screen, share, hangup];
    const tabIndexes = () => order.map((item) => item.tabIndex);
    expect(tabIndexes()).to.deep.equal([0, -1, -1, -1, -1]);

    microphone.focus();
    const focused = () => (el.shadowRoot!.activeElement as HTMLElement | null) ?? document.activeElement;
    await sendKeys({ press: 'ArrowRight' });
    expect(focused()).to.equal(camera);
    await sendKeys({ press: 'ArrowRight' });
    expect(focused()).to.equal(screen);
    await sendKeys({ press: 'ArrowRight' });
    expect(document.activeElement).to.equal(share);
    await sendKeys({ press: 'ArrowRight' });
    expect(focused()).to.equal(hangup);
    expect(tabIndexes()).to.deep.equal([-1, -1, -1, -1, 0]);
    await sendKeys({ press: 'ArrowRight' });
    expect(focused()).to.equal(microphone);
    await sendKeys({ press: 'ArrowLeft' });
    expect(focused()).to.equal(hangup);
    await sendKeys({ press: 'Home' });
    expect(focused()).to.equal(microphone);
    await sendKeys({ press: 'End' });
    expect(focused()).to.equal(hangup);

    // A click moves the tab stop too.
    camera.focus();
    expect(tabIndexes()).to.deep.equal([-1, 0, -1, -1, -1]);
    await expect(el).to.be.accessible();
  });

  it('toggles screen sharing with a fixed label and aria-pressed, takes over from a presenter, and hides where nothing can be shared', async () => {
    const { el, fake } = await fakeControls();
    const bob = participant('bob', { name: 'Bob', screenStream: new MediaStream() });
    fake.enter('active', { local: { stream: new MediaStream() }, remotes: [bob] });
    await el.updateComplete;
    const screen = part(el, 'screen-share-button');
    expect(screen.textContent!.trim()).to.equal('Share screen');
    expect(screen.getAttribute('aria-pressed')).to.equal('false');
    const reason = el.shadowRoot!.getElementById(screen.getAttribute('aria-describedby')!)!;
    expect(reason.textContent).to.equal('Bob is presenting; sharing takes over');

    const requested = oneEvent(el, 'call-screen-share-toggle') as Promise<CallScreenShareToggleEvent>;
    screen.click();
    expect((await requested).enabled).to.equal(true);
    expect(fake.calls).to.deep.equal([['setScreenShareEnabled', true]]);
    await el.updateComplete;
    expect(screen.getAttribute('aria-pressed')).to.equal('true');
    expect(screen.hasAttribute('aria-describedby')).to.equal(false);
    expect(screen.textContent!.trim(), 'the label stays').to.equal('Share screen');
    expect(getComputedStyle(screen).backgroundColor, 'sharing stands out').to.equal('rgb(26, 115, 232)');
    await expect(el).to.be.accessible();

    screen.click();
    expect(fake.calls.at(-1)).to.deep.equal(['setScreenShareEnabled', false]);

    fake.screenShareSupported = false;
    fake.changed(fake.call!.local);
    await el.updateComplete;
    expect(part(el, 'screen-share-button'), 'no toggle on a phone').to.equal(null);
  });
});

// ---- real controllers ----


describe('<media-controls> with real controllers', () => {
  let alice: CallController;
  let bob: CallController;
  let aliceGrid: CallGrid;
  let bobGrid: CallGrid;
  let aliceControls: MediaControls;
  let bobControls: MediaControls;

  const bobTile = () =>
    aliceGrid.shadowRoot!.querySelector<HTMLElement>(`[part~="tile"][data-participant-id="${bob.user!.id}"]`);

  beforeEach(async () => {
    const server = await peerServer();
    const suffix = crypto.randomUUID().slice(0, 8);
    alice = new CallController();
    bob = new CallController();
    await Promise.all([
      alice.connect({ user: { id: `alice${suffix}`, name: 'Alice' }, server, iceServers: [] }),
      bob.connect({ user: { id: `bob${suffix}`, name: 'Bob' }, server, iceServers: [] }),
    ]);
    const page = await fixture<HTMLElement>(html`
      <div>
        <call-grid .controller=${alice}></call-grid>
        <call-grid .controller=${bob}></call-grid>
        <media-controls .controller=${alice} label="Alice's controls"></media-controls>
        <media-controls .controller=${bob} label="Bob's controls"></media-controls>
      </div>
    `);
    [aliceGrid, bobGrid] = [...page.querySelectorAll('call-grid')];
    [aliceControls, bobControls] = [...page.querySelectorAll('media-controls')];

    const ringing = new Promise((resolve) => bob.addEventListener('call-incoming', resolve, { once: true }));
    await alice.startCall({ conversationId: 'controls-test', participants: [bob.user!.id], video: true });
    await ringing;
    await bob.accept({ video: true });
    await waitUntil(() => alice.call?.participants.get(bob.user!.id)?.state === 'connected', 'bob never connected', {
      timeout: 15000,
    });
    await waitUntil(() => bobTile()?.querySelector<HTMLVideoElement>('video')?.srcObject, 'no remote stream', {
      timeout: 15000,
    });
  });

  afterEach(async () => {
    await Promise.all([alice.disconnect(), bob.disconnect()]);
  });

  it("turns bob's camera off and on again from his toolbar", async () => {
    const remoteVideo = bobTile()!.querySelector('video')!;
    await waitForNewFrames(remoteVideo);
    const camera = part(bobControls, 'camera-button');
    expect(camera.getAttribute('aria-pressed')).to.equal('true');
    const cameraTrack = bob.call!.local.stream!.getVideoTracks()[0];
    expect(cameraTrack.readyState).to.equal('live');

    camera.click();
    await waitUntil(() => cameraTrack.readyState === 'ended', "bob's camera track was not stopped", { timeout: 10000 });
    await waitUntil(() => camera.getAttribute('aria-pressed') === 'false', 'camera toggle not released');
    await waitUntil(() => bobTile()!.querySelector('[part~="placeholder"]'), "alice never saw bob's placeholder", {
      timeout: 10000,
    });
    await bobGrid.updateComplete;
    expect(bobGrid.shadowRoot!.querySelector(`[data-participant-id="${bob.user!.id}"] [part~="placeholder"]`)).to.exist;
    expect(bobTile()!.querySelector('[part~="placeholder"]')!.textContent!.trim()).to.equal('B');

    camera.click();
    await waitUntil(() => camera.getAttribute('aria-pressed') === 'true', 'camera toggle not pressed', { timeout: 10000 });
    expect(bob.call!.local.stream!.getVideoTracks()[0].readyState).to.equal('live');
    await waitUntil(() => !bobTile()!.querySelector('[part~="placeholder"]'), 'placeholder stayed', { timeout: 10000 });
    // Same element, and it decodes the new camera's frames.
    expect(bobTile()!.querySelector('video')).to.equal(remoteVideo);
    await waitForNewFrames(remoteVideo);
    // Bob's own preview shows the new camera too.
    const preview = bobGrid.shadowRoot!.querySelector<HTMLElement>(`[data-participant-id="${bob.user!.id}"]`)!;
    expect(preview.querySelector('[part~="placeholder"]')).to.be.null;
    await waitForNewFrames(preview.querySelector('video')!);
    await expect(bobControls).to.be.accessible();
  });

  it("shows alice that bob's microphone is off", async () => {
    const microphone = part(bobControls, 'microphone-button');
    expect(bobTile()!.querySelector('[part~="mic-off"]')).to.be.null;
    microphone.click();
    await waitUntil(() => bobTile()!.querySelector('[part~="mic-off"]'), 'no mic-off indicator', { timeout: 10000 });
    expect(microphone.getAttribute('aria-pressed')).to.equal('false');
    expect(bob.call!.local.stream!.getAudioTracks()[0].enabled).to.be.false;

    microphone.click();
    await waitUntil(() => !bobTile()!.querySelector('[part~="mic-off"]'), 'mic-off indicator stayed', { timeout: 10000 });
    expect(microphone.getAttribute('aria-pressed')).to.equal('true');
  });

  it('ends the call on both sides with the hang-up button', async () => {
    const callEnded = (controller: CallController) =>
      new Promise<CallEndedEvent>((resolve) => controller.addEventListener('call-ended', resolve, { once: true }));
    const ended = Promise.all([callEnded(alice), callEnded(bob)]);
    part(bobControls, 'hangup-button').click();
    const [atAlice, atBob] = await ended;
    expect(atBob.reason).to.equal('hangup');
    expect(atAlice.reason).to.equal('remote-hangup');
    await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', 'not back to idle', { timeout: 10000 });
    await Promise.all([aliceGrid.updateComplete, aliceControls.updateComplete, bobControls.updateComplete]);
    expect(aliceGrid.shadowRoot!.querySelector('[part~="tile"]')).to.be.null;
    for (const controls of [aliceControls, bobControls]) {
      expect(buttons(controls).map(disabled)).to.deep.equal([true, true, true, true]);
    }
  });
});

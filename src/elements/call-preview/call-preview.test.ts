import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../define.js';
import { CallError, type CallErrorEvent } from '../../controller/index.js';
import { FakeController } from '../../../test/support/fake-controller.js';
import type { CallPreview, CallPreviewJoinEvent } from './call-preview.js';

async function fakePreview(attributes: { conversation?: string; participants?: string } = {}): Promise<{ el: CallPreview; fake: FakeController }> {
  const fake = new FakeController();
  const el = await fixture<CallPreview>(
    html`<call-preview .controller=${fake} conversation=${attributes.conversation ?? ''} participants=${attributes.participants ?? ''}></call-preview>`,
  );
  return { el, fake };
}

const part = (el: CallPreview, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const cameraCheckbox = (el: CallPreview) => part(el, 'camera-option')!.querySelector('input')!;

async function open(el: CallPreview): Promise<void> {
  part(el, 'start-button')!.click();
  await waitUntil(() => part(el, 'meter'), 'the preview never opened');
}

describe('<call-preview> with a fake controller', () => {
  it('offers to turn on camera and microphone, then shows the camera, a level meter and the device choice', async () => {
    const { el, fake } = await fakePreview();
    expect(part(el, 'base')!.dataset.state).to.equal('closed');
    expect(part(el, 'video')).to.equal(null);
    expect(part(el, 'camera-off')!.textContent).to.contain('Camera and microphone are off');
    await expect(el).to.be.accessible();

    await open(el);
    expect(fake.calls).to.deep.include(['startPreview', {}]);
    expect(part(el, 'base')!.dataset.state).to.equal('open');
    const video = part(el, 'video') as HTMLVideoElement;
    expect(video.srcObject).to.equal(fake.preview!.stream);
    expect(video.muted, 'one does not hear oneself').to.equal(true);
    expect(cameraCheckbox(el).checked).to.equal(true);
    expect(el.shadowRoot!.querySelector('device-picker')!.controller).to.equal(fake);
    await expect(el).to.be.accessible();
  });

  it('moves the meter with the microphone level, for the eye and for assistive technology', async () => {
    const { el, fake } = await fakePreview();
    await open(el);
    const meter = part(el, 'meter')!;
    expect(meter.getAttribute('role')).to.equal('meter');
    expect(meter.getAttribute('aria-valuenow')).to.equal('0');
    fake.preview!.level = 0.42;
    await waitUntil(() => meter.getAttribute('aria-valuenow') === '42', 'the meter did not follow the level');
    expect(getComputedStyle(meter).getPropertyValue('--level').trim()).to.equal('0.42');
    fake.preview!.level = 0;
    await waitUntil(() => meter.getAttribute('aria-valuenow') === '0', 'the meter did not fall back');
  });

  it('turns the camera off and on with the "Join with camera on" checkbox', async () => {
    const { el, fake } = await fakePreview();
    await open(el);
    const checkbox = cameraCheckbox(el);
    checkbox.click();
    await waitUntil(() => part(el, 'camera-off'), 'no camera-off state');
    expect(fake.calls).to.deep.include(['setPreviewCameraEnabled', false]);
    expect(part(el, 'camera-off')!.textContent).to.contain('Camera off');
    expect(part(el, 'video')).to.equal(null);
    cameraCheckbox(el).click();
    await waitUntil(() => part(el, 'video'), 'the camera never came back');
    expect(fake.calls).to.deep.include(['setPreviewCameraEnabled', true]);
  });

  it('keeps the camera as it is when the page cancels the toggle', async () => {
    const { el, fake } = await fakePreview();
    await open(el);
    el.addEventListener('call-preview-camera-toggle', (event) => event.preventDefault());
    cameraCheckbox(el).click();
    await el.updateComplete;
    expect(fake.calls.some(([action]) => action === 'setPreviewCameraEnabled')).to.equal(false);
    expect(cameraCheckbox(el).checked).to.equal(true);
  });

  it('answers the ringing call from the preview, with the camera as chosen', async () => {
    const { el, fake } = await fakePreview();
    fake.ring('Alice', { video: true });
    await open(el);
    cameraCheckbox(el).click();
    await waitUntil(() => fake.preview && !fake.preview.cameraEnabled);
    const join = part(el, 'join-button')!;
    expect(join.textContent!.trim()).to.equal('Join call');
    const joined = oneEvent(el, 'call-preview-join') as Promise<CallPreviewJoinEvent>;
    join.click();
    expect((await joined).video).to.equal(false);
    expect(fake.calls).to.deep.include(['accept', { video: false }]);
  });

  it('places its own call while idle, and offers no Join without anyone to call', async () => {
    const { el, fake } = await fakePreview({ conversation: 'team', participants: 'bob carol' });
    await open(el);
    part(el, 'join-button')!.click();
    expect(fake.calls).to.deep.include(['startCall', { conversationId: 'team', participants: ['bob', 'carol'], video: true }]);

    const lonely = await fakePreview({ conversation: 'team', participants: 'me' });
    await open(lonely.el);
    expect(part(lonely.el, 'join-button')).to.equal(null);
    expect(part(lonely.el, 'close-button')).to.exist;
  });

  it('closes the preview, releasing the devices, unless the page prevents it', async () => {
    const { el, fake } = await fakePreview();
    await open(el);
    const keepOpen = (event: Event) => event.preventDefault();
    el.addEventListener('call-preview-close', keepOpen, { once: true });
    part(el, 'close-button')!.click();
    expect(fake.calls.some(([action]) => action === 'stopPreview')).to.equal(false);
    part(el, 'close-button')!.click();
    await waitUntil(() => part(el, 'start-button'), 'still open');
    expect(fake.calls).to.deep.include(['stopPreview']);
    expect(fake.preview).to.equal(null);
  });

  it('tells the page when the devices cannot be opened, and stays closed', async () => {
    const { el, fake } = await fakePreview();
    fake.refuse('startPreview', new CallError('permission-denied', 'Camera and microphone are blocked.'));
    const failed = oneEvent(el, 'call-error') as Promise<CallErrorEvent>;
    part(el, 'start-button')!.click();
    expect((await failed).error.type).to.equal('permission-denied');
    expect(part(el, 'base')!.dataset.state).to.equal('closed');
  });

  it('cannot be opened during a call', async () => {
    const { el, fake } = await fakePreview();
    fake.enter('active');
    await el.updateComplete;
    expect((part(el, 'start-button') as HTMLButtonElement).disabled).to.equal(true);
  });
});

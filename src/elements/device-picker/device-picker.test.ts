import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../define.js';
import { CallController, CallDeviceFallbackEvent, CallError, type CallErrorEvent, type DeviceList } from '../../controller/index.js';
import { FakeController } from '../../../test/support/fake-controller.js';
import { peerServer } from '../../../test/support/peer-server.js';
import type { CallDeviceSelectEvent, DevicePicker } from './device-picker.js';

const DEVICES: DeviceList = {
  microphones: [
    { kind: 'microphone', deviceId: 'mic-a', label: 'Built-in microphone' },
    { kind: 'microphone', deviceId: 'mic-b', label: 'Headset microphone' },
  ],
  cameras: [
    { kind: 'camera', deviceId: 'cam-a', label: 'FaceTime HD' },
    { kind: 'camera', deviceId: 'cam-b', label: '' },
  ],
  speakers: [{ kind: 'speaker', deviceId: 'spk-a', label: 'Headphones' }],
};

async function fakePicker(supported = true): Promise<{ el: DevicePicker; fake: FakeController }> {
  const fake = new FakeController();
  fake.speakerSelectionSupported = supported;
  fake.setDevices(DEVICES, { microphone: 'mic-b' });
  const el = await fixture<DevicePicker>(html`<device-picker .controller=${fake}></device-picker>`);
  return { el, fake };
}

const select = (el: DevicePicker, kind: string) => el.shadowRoot!.querySelector<HTMLSelectElement>(`[part~="${kind}-select"]`);
const optionTexts = (element: HTMLSelectElement) => [...element.options].map((option) => option.textContent!.trim());

function choose(element: HTMLSelectElement, value: string): void {
  element.value = value;
  element.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('<device-picker> with a fake controller', () => {
  it('offers three labelled selects listing devices by name, the current choice selected', async () => {
    const { el, fake } = await fakePicker();
    expect(fake.calls).to.deep.equal([['listDevices']]);
    const microphone = select(el, 'microphone')!;
    expect(optionTexts(microphone)).to.deep.equal(['System default', 'Built-in microphone', 'Headset microphone']);
    expect(microphone.value).to.equal('mic-b');
    expect(microphone.closest('label')!.textContent).to.contain('Microphone');
    // A device the browser does not name yet still has something to read.
    expect(optionTexts(select(el, 'camera')!)).to.deep.equal(['System default', 'FaceTime HD', 'Camera 2']);
    expect(select(el, 'camera')!.value).to.equal('');
    expect(optionTexts(select(el, 'speaker')!)).to.deep.equal(['System default', 'Headphones']);
    expect(el.shadowRoot!.querySelector('[part~="legend"]')!.textContent).to.equal('Devices');
    await expect(el).to.be.accessible();
  });

  it('hides the speaker where the browser cannot choose one', async () => {
    const { el } = await fakePicker(false);
    expect(select(el, 'speaker')).to.equal(null);
    expect(select(el, 'microphone')).to.exist;
    await expect(el).to.be.accessible();
  });

  it('switches the device picked, by keyboard too, and follows the controller', async () => {
    const { el, fake } = await fakePicker();
    const camera = select(el, 'camera')!;
    const picked = oneEvent(el, 'call-device-select');
    choose(camera, 'cam-b');
    const event = (await picked) as unknown as CallDeviceSelectEvent;
    expect([event.kind, event.deviceId]).to.deep.equal(['camera', 'cam-b']);
    expect(fake.calls.at(-1)).to.deep.equal(['setCameraDevice', 'cam-b']);

    select(el, 'speaker')!.focus();
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(() => fake.calls.at(-1)?.[0] === 'setSpeakerDevice', 'the keyboard picked no speaker');
    expect(fake.calls.at(-1)).to.deep.equal(['setSpeakerDevice', 'spk-a']);

    choose(select(el, 'microphone')!, '');
    expect(fake.calls.at(-1)).to.deep.equal(['setMicrophoneDevice', null]);

    // A device plugged in shows up.
    fake.setDevices({ ...DEVICES, cameras: [...DEVICES.cameras, { kind: 'camera', deviceId: 'cam-c', label: 'USB camera' }] });
    await el.updateComplete;
    expect(optionTexts(select(el, 'camera')!)).to.include('USB camera');
    expect(select(el, 'camera')!.value).to.equal('cam-b');
  });

  it('a cancelled pick changes nothing; a refused one reports the error and shows the old device', async () => {
    const { el, fake } = await fakePicker();
    el.addEventListener('call-device-select', (event) => event.preventDefault(), { once: true });
    choose(select(el, 'microphone')!, 'mic-a');
    await el.updateComplete;
    expect(fake.calls.filter(([action]) => action === 'setMicrophoneDevice')).to.deep.equal([]);
    expect(select(el, 'microphone')!.value).to.equal('mic-b');

    fake.refuse('setMicrophoneDevice', new CallError('device-in-use', 'The microphone is in use by another program.'));
    const failed = oneEvent(el, 'call-error');
    choose(select(el, 'microphone')!, 'mic-a');
    expect(((await failed) as unknown as CallErrorEvent).error.type).to.equal('device-in-use');
    await el.updateComplete;
    expect(select(el, 'microphone')!.value).to.equal('mic-b');
  });

  it('tells the user which device took over from a lost or missing one', async () => {
    const { el, fake } = await fakePicker();
    const notice = el.shadowRoot!.querySelector('[part~="notice"]')!;
    expect(notice.getAttribute('role')).to.equal('status');
    expect(notice.textContent).to.equal('');
    fake.dispatchEvent(new CallDeviceFallbackEvent('camera', 'lost', 'cam-b', DEVICES.cameras[0]));
    await el.updateComplete;
    expect(notice.textContent).to.equal('Camera disconnected: now using FaceTime HD.');
    fake.dispatchEvent(new CallDeviceFallbackEvent('microphone', 'unavailable', 'gone', null));
    await el.updateComplete;
    expect(notice.textContent).to.equal('The microphone you chose is not connected: using the system default.');
    await expect(el).to.be.accessible();
  });
});

describe('<device-picker> with a real controller', () => {
  let controller: CallController;

  afterEach(async () => {
    await controller?.disconnect();
    localStorage.removeItem('meshcall:device:camera');
  });

  it('lists the browser devices and remembers a pick for the next call', async () => {
    controller = new CallController();
    const server = await peerServer();
    await controller.connect({ user: { id: `picker${crypto.randomUUID().slice(0, 8)}` }, server, iceServers: [] });
    // Names are shown once a device was granted.
    const granted = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    granted.getTracks().forEach((track) => track.stop());
    const el = await fixture<DevicePicker>(html`<device-picker .controller=${controller}></device-picker>`);
    await waitUntil(() => select(el, 'camera')!.options.length > 1 && select(el, 'camera')!.options[1].textContent!.trim() !== 'Camera 1', 'no named cameras');
    expect(!!select(el, 'speaker')).to.equal('setSinkId' in HTMLMediaElement.prototype);
    const camera = select(el, 'camera')!;
    const last = camera.options[camera.options.length - 1].value;
    choose(camera, last);
    await waitUntil(() => controller.selectedDevices.camera === last, 'the pick was not applied');
    expect(localStorage.getItem('meshcall:device:camera')).to.equal(last);
    await expect(el).to.be.accessible();
  });
});

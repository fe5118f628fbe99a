import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/define.js';
import type { CallController, DeviceKind } from '../src/controller/index.js';
import { waitForAudio, waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, nextEvent, remoteStream } from './support/parties.js';
import { trackResources, type ResourceLedger } from './support/resources.js';

const KINDS: DeviceKind[] = ['microphone', 'camera', 'speaker'];

function clearRememberedDevices(): void {
  for (const kind of KINDS) localStorage.removeItem(`meshcall:device:${kind}`);
}

/**
 * Cameras that deliver frames WebRTC sends: Chromium's second fake camera (`fake_device_1`) is a
 * depth camera, whose 16-bit frames are not sent.
 */
function usableCameras(controller: CallController) {
  return controller.devices.cameras.filter((camera) => camera.label !== 'fake_device_1');
}

function sender(from: CallController, to: CallController, kind: 'audio' | 'video'): RTCRtpSender {
  const connection = from.connectionOf(idOf(to))!;
  const transceiver = connection.getTransceivers().find((each) => each.sender.track?.kind === kind);
  expect(transceiver, `${from.user?.name} sends ${kind} to ${to.user?.name}`).to.exist;
  return transceiver!.sender;
}

/** The descriptions both sides agreed on: a renegotiation would change them. */
function descriptions(a: CallController, b: CallController): string[] {
  return [a.connectionOf(idOf(b))!.localDescription!.sdp, b.connectionOf(idOf(a))!.localDescription!.sdp];
}

/** A device that stops by itself, as an unplugged one does: the browser ends its track and fires `ended`. */
function unplug(track: MediaStreamTrack): void {
  track.stop();
  track.dispatchEvent(new Event('ended'));
}

async function expectStillSeenAndHeard(viewer: CallController, speaker: CallController): Promise<void> {
  const stream = await remoteStream(viewer, speaker);
  const frames = await waitForDecodedFrames(stream, { minFrames: 5, timeout: 15000 });
  expect(frames.width, `${viewer.user?.name} decodes ${speaker.user?.name}'s camera`).to.be.greaterThan(0);
  const level = await waitForAudio(stream, { timeout: 15000 });
  expect(level.rms, `${viewer.user?.name} hears ${speaker.user?.name}`).to.be.greaterThan(0.01);
}

describe('device choice, between controllers over a real PeerServer', () => {
  let ledger: ResourceLedger;

  beforeEach(() => {
    clearRememberedDevices();
    ledger = trackResources();
  });

  afterEach(async () => {
    await disconnectAll();
    clearRememberedDevices();
    expect(ledger.liveTracks(), 'tracks left running').to.have.length(0);
    ledger.restore();
  });

  it('lists microphones, cameras and speakers by name once a device was granted', async () => {
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const labelled = (list: typeof alice.devices) => list.cameras.some((camera) => camera.label !== '');
    const changed = nextEvent(alice, 'call-devices-change', (event) => labelled(event.devices));
    await establishCall(alice, [bob]);
    // Names come with the first grant; a browser that granted one in an earlier test has them from the start.
    const devices = labelled(alice.devices) ? alice.devices : (await changed).devices;
    expect(devices.microphones.length).to.be.at.least(1);
    expect(devices.cameras.length).to.be.at.least(1);
    for (const device of [...devices.microphones, ...devices.cameras]) expect(device.label, device.deviceId).to.not.equal('');
    expect(alice.devices).to.deep.equal(devices);
    expect(alice.speakerSelectionSupported).to.equal('setSinkId' in HTMLMediaElement.prototype);
    expect(alice.selectedDevices.camera).to.equal(alice.call!.local.stream!.getVideoTracks()[0].getSettings().deviceId);
  });

  it('switches camera and microphone mid-call on every connection, without renegotiating, releasing the old ones', async function () {
    this.timeout(60000);
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    const carol = await connectParty('carol');
    await establishCall(alice, [bob, carol]);
    await waitUntil(() => alice.connectionOf(idOf(carol)) && bob.connectionOf(idOf(carol)), 'mesh incomplete', { timeout: 10000 });
    await expectStillSeenAndHeard(bob, alice);
    const others = [bob, carol];
    const before = others.map((other) => descriptions(alice, other));
    const oldCamera = alice.call!.local.stream!.getVideoTracks()[0];
    const oldMicrophone = alice.call!.local.stream!.getAudioTracks()[0];

    const cameras = usableCameras(alice);
    const nextCamera = cameras.find((camera) => camera.deviceId !== oldCamera.getSettings().deviceId) ?? cameras[0];
    await alice.setCameraDevice(nextCamera.deviceId);
    const microphones = alice.devices.microphones;
    const nextMicrophone = microphones.find((microphone) => microphone.deviceId !== oldMicrophone.getSettings().deviceId) ?? microphones[0];
    await alice.setMicrophoneDevice(nextMicrophone.deviceId);

    const newCamera = alice.call!.local.stream!.getVideoTracks()[0];
    const newMicrophone = alice.call!.local.stream!.getAudioTracks()[0];
    expect(newCamera).to.not.equal(oldCamera);
    expect(newMicrophone).to.not.equal(oldMicrophone);
    expect(newCamera.getSettings().deviceId).to.equal(nextCamera.deviceId);
    expect(oldCamera.readyState, 'old camera released').to.equal('ended');
    expect(oldMicrophone.readyState, 'old microphone released').to.equal('ended');
    expect(alice.selectedDevices.camera).to.equal(nextCamera.deviceId);
    for (const other of others) {
      await waitUntil(() => sender(alice, other, 'video').track === newCamera, `camera not replaced towards ${other.user?.name}`);
      await waitUntil(() => sender(alice, other, 'audio').track === newMicrophone, `microphone not replaced towards ${other.user?.name}`);
    }
    for (const other of others) await expectStillSeenAndHeard(other, alice);
    expect(others.map((other) => descriptions(alice, other)), 'no renegotiation').to.deep.equal(before);
    // A muted microphone stays muted on the new device.
    await alice.setMicrophoneEnabled(false);
    await alice.setMicrophoneDevice(oldMicrophone.getSettings().deviceId ?? null);
    expect(alice.call!.local.stream!.getAudioTracks()[0].enabled).to.equal(false);
    expect(alice.microphoneEnabled).to.equal(false);
  });

  it('a lost camera or microphone gives way to another, and the user is told', async function () {
    this.timeout(60000);
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await expectStillSeenAndHeard(bob, alice);

    // The camera chosen is lost: the default (another one, where there are several) takes over.
    const cameras = usableCameras(alice);
    await alice.setCameraDevice(cameras[cameras.length - 1].deviceId);
    const lostCamera = alice.call!.local.stream!.getVideoTracks()[0];
    const cameraNotice = nextEvent(alice, 'call-device-fallback', (event) => event.kind === 'camera');
    unplug(lostCamera);
    const camera = await cameraNotice;
    expect(camera.reason).to.equal('lost');
    expect(camera.wantedDeviceId).to.equal(lostCamera.getSettings().deviceId ?? camera.wantedDeviceId);
    expect(camera.device, 'the camera now in use').to.not.equal(null);
    if (alice.devices.cameras.length > 1) expect(camera.device!.deviceId, 'another camera').to.not.equal(lostCamera.getSettings().deviceId);
    const replacement = alice.call!.local.stream!.getVideoTracks()[0];
    expect(replacement).to.not.equal(lostCamera);
    expect(replacement.readyState).to.equal('live');
    expect(alice.cameraEnabled).to.equal(true);
    await waitUntil(() => sender(alice, bob, 'video').track === replacement, 'the new camera is not sent');

    const lostMicrophone = alice.call!.local.stream!.getAudioTracks()[0];
    const microphoneNotice = nextEvent(alice, 'call-device-fallback', (event) => event.kind === 'microphone');
    unplug(lostMicrophone);
    expect((await microphoneNotice).device).to.not.equal(null);
    const newMicrophone = alice.call!.local.stream!.getAudioTracks()[0];
    expect(newMicrophone.readyState).to.equal('live');
    await waitUntil(() => sender(alice, bob, 'audio').track === newMicrophone, 'the new microphone is not sent');
    await expectStillSeenAndHeard(bob, alice);
  });

  it('a lost camera with none to replace it goes off and says why; the call goes on', async function () {
    this.timeout(60000);
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await waitUntil(() => bob.call?.participants.get(idOf(alice))?.cameraEnabled, 'bob never saw the camera on');
    const mediaDevices = navigator.mediaDevices;
    const original = mediaDevices.getUserMedia;
    // Every camera is gone: opening any fails as the browser then fails.
    mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    try {
      const failed = nextEvent(alice, 'call-error');
      const notice = nextEvent(alice, 'call-device-fallback');
      unplug(alice.call!.local.stream!.getVideoTracks()[0]);
      expect((await failed).error.type).to.equal('device-not-found');
      expect((await notice).device).to.equal(null);
    } finally {
      mediaDevices.getUserMedia = original;
    }
    expect(alice.cameraEnabled).to.equal(false);
    expect(alice.call!.local.stream!.getVideoTracks()).to.have.length(0);
    expect(alice.state).to.equal('active');
    await waitUntil(() => bob.call?.participants.get(idOf(alice))?.cameraEnabled === false, 'bob still sees the camera on');
    await waitForAudio(await remoteStream(bob, alice), { timeout: 15000 });
  });

  it('offers a camera plugged in mid-call and stops offering it when unplugged (devicechange)', async function () {
    this.timeout(60000);
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    const picker = await fixture<HTMLElement>(html`<device-picker .controller=${alice}></device-picker>`);
    const cameraOptions = () => [...picker.shadowRoot!.querySelectorAll('select[data-kind=camera] option')].map((option) => option.textContent);
    await waitUntil(() => cameraOptions().length > 1, 'the picker lists the cameras');
    // Test browsers cannot plug a fake device in at run time: the browser's list gains one, and it says so, as on a real plug-in.
    const mediaDevices = navigator.mediaDevices;
    const realEnumerate = mediaDevices.enumerateDevices;
    const plugged = { deviceId: 'usb-camera-plugged-in', groupId: 'usb', kind: 'videoinput', label: 'USB Camera', toJSON() { return this; } } as MediaDeviceInfo;
    let extra: MediaDeviceInfo[] = [plugged];
    mediaDevices.enumerateDevices = async () => [...(await realEnumerate.call(mediaDevices)), ...extra];
    try {
      const offered = nextEvent(alice, 'call-devices-change', (event) => event.devices.cameras.some((camera) => camera.deviceId === plugged.deviceId));
      mediaDevices.dispatchEvent(new Event('devicechange'));
      expect((await offered).devices.cameras.map((camera) => camera.label)).to.include('USB Camera');
      await waitUntil(() => cameraOptions().includes('USB Camera'), 'the picker offers the camera plugged in');

      extra = [];
      const withdrawn = nextEvent(alice, 'call-devices-change', (event) => !event.devices.cameras.some((camera) => camera.deviceId === plugged.deviceId));
      mediaDevices.dispatchEvent(new Event('devicechange'));
      await withdrawn;
      await waitUntil(() => !cameraOptions().includes('USB Camera'), 'the picker no longer offers the camera unplugged');
    } finally {
      mediaDevices.enumerateDevices = realEnumerate;
    }
    expect(alice.state, 'the call goes on').to.equal('active');
    await expectStillSeenAndHeard(bob, alice);
  });

  it('remembers the choice for the next call, and falls back to the default with a notice when it is gone', async function () {
    this.timeout(60000);
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    const cameras = usableCameras(alice);
    const chosen = cameras[cameras.length - 1];
    await alice.setCameraDevice(chosen.deviceId);
    await alice.hangUp();
    await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', 'call did not end');

    expect(alice.selectedDevices.camera, 'remembered between calls').to.equal(chosen.deviceId);
    expect(localStorage.getItem('meshcall:device:camera')).to.equal(chosen.deviceId);
    await establishCall(alice, [bob]);
    expect(alice.call!.local.stream!.getVideoTracks()[0].getSettings().deviceId, 'used on the next call').to.equal(chosen.deviceId);
    await alice.hangUp();
    await waitUntil(() => alice.state === 'idle' && bob.state === 'idle', 'call did not end');

    // As a reload would find it: a remembered camera that was unplugged since.
    localStorage.setItem('meshcall:device:camera', 'a-camera-unplugged-since');
    const carol = await connectParty('carol');
    expect(carol.selectedDevices.camera).to.equal('a-camera-unplugged-since');
    const notice = nextEvent(carol, 'call-device-fallback');
    await establishCall(carol, [bob]);
    const fallback = await notice;
    expect(fallback.kind).to.equal('camera');
    expect(fallback.reason).to.equal('unavailable');
    expect(fallback.wantedDeviceId).to.equal('a-camera-unplugged-since');
    expect(fallback.device?.deviceId).to.equal(carol.call!.local.stream!.getVideoTracks()[0].getSettings().deviceId);
    await waitForDecodedFrames(await remoteStream(bob, carol));
  });

  it('plays the others through the chosen speaker, in this call and the next', async function () {
    if (!('setSinkId' in HTMLMediaElement.prototype)) {
      const alice = await connectParty('alice');
      let error: unknown;
      await alice.setSpeakerDevice('x').catch((caught: unknown) => (error = caught));
      expect((error as { type?: string }).type).to.equal('speaker-selection-unsupported');
      return;
    }
    this.timeout(60000);
    const alice = await connectParty('alice');
    const bob = await connectParty('bob');
    await establishCall(alice, [bob]);
    await waitUntil(() => alice.audioElements.get(idOf(bob)), 'no audio element for bob');
    const speakers = alice.devices.speakers;
    expect(speakers.length, 'fake speakers').to.be.at.least(2);
    const chosen = speakers[speakers.length - 1];
    await alice.setSpeakerDevice(chosen.deviceId);
    expect(alice.audioElements.get(idOf(bob))!.sinkId).to.equal(chosen.deviceId);
    expect(alice.selectedDevices.speaker).to.equal(chosen.deviceId);
    let error: unknown;
    await alice.setSpeakerDevice('no-such-speaker').catch((caught: unknown) => (error = caught));
    expect((error as { type?: string }).type, 'a speaker that is not there').to.be.a('string');
    expect(alice.audioElements.get(idOf(bob))!.sinkId, 'kept the working one').to.equal(chosen.deviceId);
    await alice.hangUp();
    await waitUntil(() => bob.state === 'idle', 'call did not end');
    await establishCall(bob, [alice]);
    await waitUntil(() => alice.audioElements.get(idOf(bob))?.sinkId === chosen.deviceId, 'the next call plays elsewhere');
  });
});

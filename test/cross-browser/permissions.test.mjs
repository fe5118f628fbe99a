// Refused microphone and camera, for real (issue 6): browsers launched so that the permission is
// denied (Chromium without the fake prompt and with --deny-permission-prompts, Firefox with
// permissions.default.* = 2), driven by Node through puppeteer-core with the built bundle
// (dist/meshcall.bundle.js: run `npm run build:js` first) and a local PeerServer. The caller is an
// ordinary test Chromium (fake devices, everything allowed).
// Run: node --test test/cross-browser/permissions.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, FIREFOX_PREFS } from '../../scripts/browsers.mjs';
import { closeBrowser, closeServer, startPeerServer, startStaticServer, uniqueId, within } from '../../scripts/browser-test-support.mjs';

const BUNDLE = fileURLToPath(new URL('../../dist/meshcall.bundle.js', import.meta.url));
/** Budget for one step inside a page (a call set up, media decoded). */
const STEP_MS = 15000;

/** Chromium that refuses every device prompt; a permission can still be granted from outside (CDP). */
const CHROMIUM_DENYING_ARGS = [...CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'), '--deny-permission-prompts'];
/** Chromium whose fake devices include no camera at all (the microphone is still there): getUserMedia finds none. */
const CHROMIUM_NO_CAMERA_ARGS = [...CHROMIUM_ARGS.filter((arg) => !arg.startsWith('--use-fake-device-for-media-stream')), '--use-fake-device-for-media-stream=device-count=0'];
/** Firefox that asks for devices (instead of the tests' no-prompt pref) and whose answer is "block". */
const FIREFOX_DENYING_PREFS = {
  ...FIREFOX_PREFS,
  'media.navigator.permission.disabled': false,
  'permissions.default.microphone': 2,
  'permissions.default.camera': 2,
};

setTimeout(() => {
  console.error('permissions.test.mjs: still running after 200 s; exiting.');
  process.exit(1);
}, 200000).unref();

describe('refused microphone and camera', { timeout: 195000 }, () => {
  let peerServer;
  let staticServer;
  let chromium;
  let chromiumDenying;
  let firefoxDenying;
  let chromiumNoCamera;
  let origin;

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run \`npm run build:js\` before these tests.`);
    [peerServer, staticServer] = await Promise.all([
      startPeerServer('/signal'),
      startStaticServer({
        '/': { file: fileURLToPath(new URL('./permissions-page.html', import.meta.url)), type: 'text/html; charset=utf-8' },
        '/dist/meshcall.bundle.js': { file: BUNDLE, type: 'text/javascript; charset=utf-8' },
      }),
    ]);
    origin = `http://127.0.0.1:${staticServer.address().port}`;
    const launch = (options) => puppeteer.launch({ headless: true, protocolTimeout: 60000, timeout: 30000, ...options });
    [chromium, chromiumDenying, firefoxDenying, chromiumNoCamera] = await Promise.all([
      // meshcall.test: the same server under a name that is not localhost, so no secure context.
      launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP meshcall.test 127.0.0.1'] }),
      launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_DENYING_ARGS }),
      launch({ browser: 'firefox', executablePath: FIREFOX_PATH, extraPrefsFirefox: FIREFOX_DENYING_PREFS }),
      launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_NO_CAMERA_ARGS }),
    ]);
  }, { timeout: 100000 });

  after(async () => {
    await Promise.allSettled([closeBrowser(chromium), closeBrowser(chromiumDenying), closeBrowser(firefoxDenying), closeBrowser(chromiumNoCamera)]);
    await Promise.allSettled([peerServer?.stop(), closeServer(staticServer)]);
  }, { timeout: 15000 });

  async function openParty(t, browser, name, { media, insecure = false } = {}) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    t.after(() => within(5000, `closing ${name}`, page.close()).catch(() => undefined));
    const userId = uniqueId(name);
    const query = new URLSearchParams({ user: userId, port: String(peerServer.port), ...(media ? { media: JSON.stringify(media) } : {}) });
    const pageOrigin = insecure ? origin.replace('127.0.0.1', 'meshcall.test') : origin;
    await page.goto(`${pageOrigin}/?${query}`, { waitUntil: 'load', timeout: STEP_MS });
    await page.waitForFunction(() => window.harnessReady === true || window.harnessError, { timeout: STEP_MS });
    assert.equal(await page.evaluate(() => window.harnessError), undefined, `${name} could not connect`);
    return {
      name,
      userId,
      page,
      async run(method, ...args) {
        try {
          return await within(STEP_MS + 5000, `${name}: ${method}`, page.evaluate((method, args) => window.harness[method](...args), method, args));
        } catch (error) {
          const extra = problems.length ? `\npage problems:\n${problems.join('\n')}` : '';
          throw new Error(`${name}: ${method}(${args.map((arg) => JSON.stringify(arg)).join(', ')}) failed: ${error.message}${extra}`);
        }
      },
    };
  }

  /** Nothing left open once the call is over: no device, no connection. */
  async function assertNoLeaks(party) {
    const deadline = Date.now() + 5000;
    let leaks;
    do {
      leaks = await party.run('leaks');
      if (leaks.liveTracks.length === 0 && leaks.openConnections === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < deadline);
    assert.deepEqual(leaks.liveTracks, [], `${party.name}: tracks left live`);
    assert.equal(leaks.openConnections, 0, `${party.name}: connections left open (of ${leaks.connections})`);
    return leaks;
  }

  /**
   * Alice video-calls Bob, whose browser refuses both devices: Bob's accept goes through receive-only.
   * He is told (permission-denied for the microphone), sees the microphone unavailable and the steps
   * for his browser, and hears and sees Alice; Alice sees him in the call, muted, with no camera.
   */
  async function assertReceiveOnly(alice, bob, browserName) {
    await alice.run('call', bob.userId);
    assert.equal(await bob.run('accept', STEP_MS), 'active', "Bob's accept should go through without a microphone");
    await alice.run('waitActive', STEP_MS);
    const errors = (await bob.run('events')).filter((event) => event.type === 'call-error').map((event) => [event.error.type, event.error.device]);
    assert.deepEqual(errors, [['permission-denied', 'microphone'], ['permission-denied', 'camera']]);
    assert.deepEqual(await bob.run('local'), { microphoneAvailable: false, cameraAvailable: false, microphoneEnabled: false, cameraEnabled: false, localTracks: [] });

    const ui = await bob.run('waitUi', 'the help', '(ui) => ui.help?.visible', STEP_MS);
    assert.deepEqual(ui.microphone, { pressed: 'false', unavailable: true, description: 'Microphone unavailable: access was denied' });
    assert.equal(ui.camera.unavailable, true);
    assert.equal(ui.help.title, 'Microphone and camera blocked');
    assert.match(ui.help.message, /cannot hear you/);
    assert.equal(ui.help.lead, `To allow it in ${browserName}:`);
    assert.ok(ui.help.steps.length >= 2 && ui.help.retry, JSON.stringify(ui.help));

    const received = await bob.run('receives', alice.userId, STEP_MS);
    console.log(`# ${bob.name} (receive-only): Alice's video decoded (${received.frames} new frames) and her audio heard (${received.packets} packets) ${received.decodedAt} ms after the check began`);
    await alice.run('waitConnected', bob.userId, STEP_MS);
    assert.deepEqual(await alice.run('remote', bob.userId), { state: 'connected', microphoneEnabled: false, cameraEnabled: false });
  }

  test('Chromium, both refused: the call is answered receive-only; allowing the microphone later is picked up without a reload', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromiumDenying, 'bob');
    await assertReceiveOnly(alice, bob, 'Chrome');

    const before = await alice.run('audioPacketsFrom', bob.userId);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await alice.run('audioPacketsFrom', bob.userId), before, 'Alice receives no audio from Bob while his microphone is refused');

    // As the user would in the site settings; the Permissions API tells the page (no reload).
    const context = chromiumDenying.defaultBrowserContext();
    t.after(() => context.setPermission(origin, { permission: { name: 'microphone' }, state: 'prompt' }));
    await context.setPermission(origin, { permission: { name: 'microphone' }, state: 'granted' });
    const offered = await bob.run('waitUi', 'the microphone offered again', '(ui) => !ui.microphone.unavailable && !ui.help', STEP_MS);
    assert.deepEqual(offered.microphone, { pressed: 'false', unavailable: false, description: null }, 'offered, off: not opened behind the user');
    assert.ok((await bob.run('events')).some((event) => event.type === 'call-device-availability' && event.device === 'microphone' && event.available));
    assert.equal((await bob.run('local')).microphoneAvailable, true);

    await bob.run('pressMicrophone');
    await bob.run('waitUi', 'the microphone on', "(ui) => ui.microphone.pressed === 'true'", STEP_MS);
    assert.deepEqual((await bob.run('local')).localTracks, ['audio']);
    // Bob sends no camera: sound is what must reach Alice.
    const heard = await alice.run('hears', bob.userId, STEP_MS);
    assert.ok(heard.packets > before, `Alice should receive Bob's audio now (${heard.packets} packets)`);
    console.log(`# Bob's microphone allowed later and turned on: Alice hears him (${heard.packets} audio packets, ${heard.heardAt} ms after the check began)`);

    assert.equal(await bob.run('hangUp'), 'idle');
    const leaks = await assertNoLeaks(bob);
    assert.equal(leaks.tracks, 1, 'Bob opened only the microphone, once allowed');
    await assertNoLeaks(alice);
  });

  test('Chromium, microphone refused: a call placed from <call-button> does not start, and the help says why', { timeout: 40000 }, async (t) => {
    const alice = await openParty(t, chromiumDenying, 'alice');
    const bob = await openParty(t, chromium, 'bob');
    await alice.run('callThroughButton', bob.userId);
    assert.equal(await alice.run('state'), 'idle');
    const relayed = (await alice.run('events')).filter((event) => event.type === 'element-call-error').map((event) => [event.error.type, event.error.device]);
    assert.deepEqual(relayed, [['permission-denied', 'microphone']]);
    const ui = await alice.run('waitUi', 'the help', '(ui) => ui.help?.visible', STEP_MS);
    assert.match(ui.help.message, /The call did not start\./);
    assert.equal(ui.help.title, 'Microphone blocked');
    assert.equal(await bob.run('state'), 'idle', 'Bob was never rung');
    const leaks = await assertNoLeaks(alice);
    assert.equal(leaks.tracks, 0);
  });

  test('Chromium, a page that is not a secure context: calls it places fail with insecure-context, calls it answers are receive-only', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromium, 'bob', { insecure: true });
    const refused = await bob.run('callRefused', alice.userId);
    assert.deepEqual({ ...refused, message: undefined }, { type: 'insecure-context', device: 'microphone', secureContext: false, state: 'idle', message: undefined }, refused.message);
    assert.match(refused.message, /secure page/);
    assert.equal(await alice.run('state'), 'idle', 'Alice was never rung');

    await alice.run('call', bob.userId);
    assert.equal(await bob.run('accept', STEP_MS), 'active', "Bob's accept should go through without devices");
    const errors = (await bob.run('events')).filter((event) => event.type === 'call-error').map((event) => [event.error.type, event.error.device]);
    assert.deepEqual(errors[0], ['insecure-context', 'microphone'], JSON.stringify(errors));
    const ui = await bob.run('waitUi', 'the microphone shown unavailable', '(ui) => ui.microphone.unavailable', STEP_MS);
    assert.equal(ui.microphone.pressed, 'false');
    const received = await bob.run('receives', alice.userId, STEP_MS);
    console.log(`# ${bob.name} (not a secure context, receive-only): Alice's video decoded (${received.frames} new frames) and her audio heard ${received.decodedAt} ms after the check began`);
    assert.equal(await bob.run('hangUp'), 'idle');
    const leaks = await assertNoLeaks(bob);
    assert.equal(leaks.tracks, 0, 'nothing was opened');
    await assertNoLeaks(alice);
  });

  test('Chromium without a camera: a video call answered goes on as voice, with device-not-found and the camera shown unavailable', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromiumNoCamera, 'bob');
    await alice.run('call', bob.userId);
    assert.equal(await bob.run('accept', STEP_MS), 'active');
    await alice.run('waitActive', STEP_MS);
    const errors = (await bob.run('events')).filter((event) => event.type === 'call-error').map((event) => [event.error.type, event.error.device]);
    assert.deepEqual(errors, [['device-not-found', 'camera']]);
    assert.deepEqual(await bob.run('local'), { microphoneAvailable: true, cameraAvailable: false, microphoneEnabled: true, cameraEnabled: false, localTracks: ['audio'] });
    const ui = await bob.run('waitUi', 'the camera shown unavailable', '(ui) => ui.camera.unavailable', STEP_MS);
    assert.equal(ui.microphone.unavailable, false);
    assert.match(ui.camera.description, /^Camera unavailable/);
    const heard = await alice.run('hears', bob.userId, STEP_MS);
    assert.ok(heard.packets > 0, 'Alice hears Bob');
    const received = await bob.run('receives', alice.userId, STEP_MS);
    console.log(`# ${bob.name} (no camera): a voice call; Alice hears him, and he sees and hears her ${received.decodedAt} ms after the check began`);
    assert.equal(await bob.run('hangUp'), 'idle');
    const leaks = await assertNoLeaks(bob);
    assert.equal(leaks.tracks, 1, 'only the microphone was opened');
    await assertNoLeaks(alice);
  });

  test('Firefox, both refused: the call is answered receive-only, with the steps for Firefox', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, firefoxDenying, 'bob');
    await assertReceiveOnly(alice, bob, 'Firefox');
    assert.equal(await bob.run('hangUp'), 'idle');
    const leaks = await assertNoLeaks(bob);
    assert.equal(leaks.tracks, 0, 'nothing was opened');
    await assertNoLeaks(alice);
  });
});

// End-to-end calls between Debian's Chromium and Firefox ESR, through the built bundle
// (dist/meshcall.bundle.js: run `npm run build:js` first) and a local PeerServer.
// Run: node --test test/cross-browser/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, FIREFOX_PREFS } from '../../scripts/browsers.mjs';
import { closeBrowser, closeServer, startPeerServer, startStaticServer, uniqueId, within } from '../../scripts/browser-test-support.mjs';

const BUNDLE = fileURLToPath(new URL('../../dist/meshcall.bundle.js', import.meta.url));
const PAGE = fileURLToPath(new URL('./page.html', import.meta.url));
const SIGNAL_PATH = '/signal';

/** Budget for one step inside a page (a ring, a first frame, a sound); each test has its own, larger one. */
const STEP_MS = 10000;
/** A muted microphone must give this long a stretch of silence: three gaps between Chromium's fake beeps. */
const SILENCE_WINDOW_MS = 1500;
/** A peak below this counts as silence; sound must peak above 0.02 (`audioEnergy`'s threshold). */
const SILENCE_PEAK = 0.005;


// Whatever goes wrong, this file ends within a minute: a leaked handle must not keep `node --test` waiting.
setTimeout(() => {
  console.error('chromium-firefox.test.mjs: still running after 60 s; exiting.');
  process.exit(1);
}, 60000).unref();

describe('calls between Chromium and Firefox', { timeout: 58000 }, () => {
  let peerServer;
  let staticServer;
  let chromium;
  let firefox;
  let signal;
  let origin;

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run \`npm run build:js\` before these tests.`);
    assert.match(
      readFileSync(BUNDLE, 'utf8'),
      /\bCallController\b/,
      `${BUNDLE} does not export CallController: rebuild it with \`npm run build:js\`.`,
    );
    [peerServer, staticServer] = await Promise.all([
      startPeerServer(SIGNAL_PATH),
      startStaticServer({
        '/': { file: PAGE, type: 'text/html; charset=utf-8' },
        '/dist/meshcall.bundle.js': { file: BUNDLE, type: 'text/javascript; charset=utf-8' },
      }),
    ]);
    signal = { host: '127.0.0.1', port: peerServer.port, path: SIGNAL_PATH };
    origin = `http://127.0.0.1:${staticServer.address().port}`;
    // Launched one after the other: a failure then leaves at most one browser to clean up here.
    chromium = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      protocolTimeout: 20000,
      timeout: 15000,
    });
    firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
      protocolTimeout: 20000,
      timeout: 15000,
    });
  }, { timeout: 30000 });

  after(async () => {
    await Promise.allSettled([closeBrowser(chromium), closeBrowser(firefox)]);
    await Promise.allSettled([peerServer?.stop(), closeServer(staticServer)]);
  }, { timeout: 15000 });

  /**
   * Opens the harness in a new page of `browser` and connects its controller as `userId`. Page
   * errors and console errors are kept, and printed when a step fails.
   */
  async function openHarness(t, browser, name, userId) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
    });
    t.after(() => within(5000, `closing the ${name} page`, page.close()).catch(() => undefined));
    await page.goto(`${origin}/`, { waitUntil: 'load', timeout: STEP_MS });
    await page.waitForFunction(() => window.harnessReady === true, { timeout: STEP_MS }).catch((error) => {
      throw new Error(`the harness did not load in ${name}: ${error.message}\n${problems.join('\n')}`);
    });
    /** Runs `harness[method](...args)` in the page; errors name the browser and carry the page's problems. */
    const run = async (method, ...args) => {
      try {
        return await within(
          STEP_MS + 2000,
          `${name}: ${method}`,
          page.evaluate((method, args) => window.harness[method](...args), method, args),
        );
      } catch (error) {
        const extra = problems.length ? `\npage problems:\n${problems.join('\n')}` : '';
        throw new Error(`${name}: ${method}(${args.map((arg) => JSON.stringify(arg)).join(', ')}) failed: ${error.message}${extra}`);
      }
    };
    assert.equal(await run('connect', userId, signal), 'idle', `${name} should be registered`);
    return { name, userId, page, run };
  }

  async function assertMediaBothWays(a, b, { video }) {
    for (const [to, from] of [[a, b], [b, a]]) {
      if (video) {
        const frames = await to.run('decodedFrames', from.userId, { minFrames: 3, timeoutMs: STEP_MS });
        assert.ok(frames.frames >= 3 && frames.width > 0, `${to.name} should decode ${from.name}'s video: ${JSON.stringify(frames)}`);
      }
      const audio = await to.run('audioEnergy', from.userId, { timeoutMs: STEP_MS });
      assert.ok(audio.peak > 0.02, `${to.name} should hear ${from.name}: ${JSON.stringify(audio)}`);
    }
  }

  /** `leaver` hangs up; the other side must see `remote-hangup`, and every track on both sides must end. */
  async function assertHangUp(leaver, other) {
    assert.equal(await leaver.run('hangUp'), 'idle', `${leaver.name} should be idle after hanging up`);
    const leaverEnd = await leaver.run('ended', 0);
    assert.equal(leaverEnd.reason, 'hangup', `${leaver.name}'s call-ended reason`);
    const otherEnd = await other.run('ended', STEP_MS);
    assert.equal(
      otherEnd.reason,
      'remote-hangup',
      `${other.name}'s call-ended reason; its last events:\n${(await other.run('recentEvents', 6)).join('\n')}`,
    );
    assert.deepEqual(otherEnd.participantsLeft, ['hangup'], `${other.name} should see ${leaver.name} leave by hanging up`);
    for (const side of [leaver, other]) {
      const tracks = await side.run('allTracksEnded', STEP_MS);
      const owners = new Set(tracks.map((track) => track.owner));
      assert.ok(owners.has('local') && owners.size === 2, `${side.name} should have seen local and remote tracks: ${JSON.stringify(tracks)}`);
      assert.ok(tracks.length >= 3, `${side.name} tracks: ${JSON.stringify(tracks)}`);
    }
  }

  test('Chromium video-calls Firefox: video and audio both ways, Chromium hangs up', { timeout: 25000 }, async (t) => {
    const chrome = await openHarness(t, chromium, 'Chromium', uniqueId('chromium'));
    const fox = await openHarness(t, firefox, 'Firefox', uniqueId('firefox'));

    const placed = await chrome.run('call', fox.userId, { video: true });
    assert.deepEqual(placed, { direction: 'outgoing', video: true, state: 'outgoing' });
    const ring = await fox.run('ringFrom', chrome.userId, STEP_MS);
    assert.deepEqual(ring, { callerId: chrome.userId, direction: 'incoming', video: true });
    const answered = await fox.run('accept');
    assert.deepEqual(answered, { state: 'active', microphoneEnabled: true, cameraEnabled: true });
    await chrome.run('waitForActive', STEP_MS);

    await assertMediaBothWays(chrome, fox, { video: true });
    await assertHangUp(chrome, fox);
  });

  test('Firefox voice-calls Chromium: mute seen and heard across, camera added mid-call, Firefox hangs up', { timeout: 30000 }, async (t) => {
    const chrome = await openHarness(t, chromium, 'Chromium', uniqueId('chromium'));
    const fox = await openHarness(t, firefox, 'Firefox', uniqueId('firefox'));

    assert.deepEqual(await fox.run('call', chrome.userId, { video: false }), { direction: 'outgoing', video: false, state: 'outgoing' });
    assert.deepEqual(await chrome.run('ringFrom', fox.userId, STEP_MS), { callerId: fox.userId, direction: 'incoming', video: false });
    assert.deepEqual(await chrome.run('accept'), { state: 'active', microphoneEnabled: true, cameraEnabled: false });
    await fox.run('waitForActive', STEP_MS);
    await fox.run('remoteMediaState', chrome.userId, { microphoneEnabled: true, cameraEnabled: false }, STEP_MS);
    await chrome.run('remoteMediaState', fox.userId, { microphoneEnabled: true, cameraEnabled: false }, STEP_MS);
    await assertMediaBothWays(chrome, fox, { video: false });

    // Each side mutes in turn: the other sees the flag and hears silence; unmuting brings the sound back.
    for (const [muter, listener] of [[fox, chrome], [chrome, fox]]) {
      assert.equal(await muter.run('setMicrophone', false), false);
      await listener.run('remoteMediaState', muter.userId, { microphoneEnabled: false }, STEP_MS);
      await listener.run('quietFor', muter.userId, { windowMs: SILENCE_WINDOW_MS, threshold: SILENCE_PEAK, timeoutMs: STEP_MS });
      assert.equal(await muter.run('setMicrophone', true), true);
      await listener.run('remoteMediaState', muter.userId, { microphoneEnabled: true }, STEP_MS);
      await listener.run('audioEnergy', muter.userId, { timeoutMs: STEP_MS });
    }

    // A voice call's video sender holds no track; turning the camera on fills it without renegotiation.
    for (const [sender, receiver] of [[chrome, fox], [fox, chrome]]) {
      assert.equal(await sender.run('setCamera', true), true);
      await receiver.run('remoteMediaState', sender.userId, { cameraEnabled: true }, STEP_MS);
      const frames = await receiver.run('decodedFrames', sender.userId, { minFrames: 3, timeoutMs: STEP_MS });
      assert.ok(frames.frames >= 3 && frames.width > 0, `${receiver.name} should decode ${sender.name}'s camera: ${JSON.stringify(frames)}`);
    }

    await assertHangUp(fox, chrome);
  });
});

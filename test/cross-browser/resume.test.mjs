// A call survives a reload or a navigation away and back (issue 7), through the built bundle
// (dist/meshcall.bundle.js: run `npm run build:js` first) and a local PeerServer. Reloads cannot be
// made from inside a test page, so Node drives the pages with puppeteer-core.
// Run: node --test test/cross-browser/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH, FIREFOX_PATH, FIREFOX_PREFS } from '../../scripts/browsers.mjs';
import { closeBrowser, closeServer, startPeerServer, startStaticServer, uniqueId, within } from '../../scripts/browser-test-support.mjs';

const BUNDLE = fileURLToPath(new URL('../../dist/meshcall.bundle.js', import.meta.url));
const SIGNAL_PATH = '/signal';
/** Budget for one step inside a page (a call set up, media back after a reload). */
const STEP_MS = 12000;
/** Reload → remote media again: issue 7's target, printed beside each measure. */
const TARGET_MS = 3000;
/**
 * What the test insists on: the call resumed within the 20 s grace, not a new one. The time itself
 * is printed against the target; on 2 cores loaded by other browsers it was seen at 8 s (1.3-1.4 s quiet).
 */
const BOUND_MS = 15000;
/** A short grace for the page that closes, so that the test waits it out quickly. */
const SHORT_GRACE_MS = 4000;
/** The sweep that drops those who did not return runs every 2 s. */
const SWEEP_MS = 2000;

// Whatever goes wrong, this file ends: a leaked handle must not keep `node --test` waiting.
setTimeout(() => {
  console.error('resume.test.mjs: still running after 240 s; exiting.');
  process.exit(1);
}, 240000).unref();

describe('a call survives a reload', { timeout: 235000 }, () => {
  let peerServer;
  let staticServer;
  let chromium;
  let firefox;
  let origin;

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run \`npm run build:js\` before these tests.`);
    [peerServer, staticServer] = await Promise.all([
      startPeerServer(SIGNAL_PATH),
      startStaticServer({
        '/': { file: fileURLToPath(new URL('./resume-page.html', import.meta.url)), type: 'text/html; charset=utf-8' },
        '/away': { file: fileURLToPath(new URL('./away.html', import.meta.url)), type: 'text/html; charset=utf-8' },
        '/dist/meshcall.bundle.js': { file: BUNDLE, type: 'text/javascript; charset=utf-8' },
      }),
    ]);
    origin = `http://127.0.0.1:${staticServer.address().port}`;
    chromium = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      // Two pages of one browser take turns: neither may be throttled as a background tab.
      args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS],
      protocolTimeout: 60000,
      timeout: 30000,
    });
    firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
      protocolTimeout: 60000,
      timeout: 30000,
    });
  }, { timeout: 100000 });

  after(async () => {
    await Promise.allSettled([closeBrowser(chromium), closeBrowser(firefox)]);
    await Promise.allSettled([peerServer?.stop(), closeServer(staticServer)]);
  }, { timeout: 15000 });

  /** A page of `browser` connected as a new user; `run` calls its harness, naming the page in errors. */
  async function openParty(t, browser, name, { grace } = {}) {
    // A window each: a background tab of a headless Chromium renders no frames.
    const page = await browser.newPage(browser === chromium ? { type: 'window', windowBounds: { left: 0, top: 0, width: 640, height: 480 } } : {});
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    t.after(() => within(5000, `closing ${name}`, page.close()).catch(() => undefined));
    const userId = uniqueId(name);
    const query = new URLSearchParams({ user: userId, port: String(peerServer.port), ...(grace ? { grace: String(grace) } : {}) });
    const party = {
      name,
      userId,
      page,
      problems,
      async ready() {
        await page.waitForFunction(() => window.harnessReady === true || window.harnessError, { timeout: STEP_MS });
        const error = await page.evaluate(() => window.harnessError);
        assert.equal(error, undefined, `${name} could not connect`);
      },
      async run(method, ...args) {
        try {
          return await within(STEP_MS + 2000, `${name}: ${method}`, page.evaluate((method, args) => window.harness[method](...args), method, args));
        } catch (error) {
          const extra = problems.length ? `\npage problems:\n${problems.join('\n')}` : '';
          throw new Error(`${name}: ${method}(${args.map((arg) => JSON.stringify(arg)).join(', ')}) failed: ${error.message}${extra}`);
        }
      },
    };
    await page.goto(`${origin}/?${query}`, { waitUntil: 'load', timeout: STEP_MS });
    await party.ready();
    return party;
  }

  /** Polls the party's events until one matches; resolves with it. */
  async function eventOf(party, what, matches, since = 0, timeoutMs = STEP_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await party.run('events');
      const found = events.slice(since).find(matches);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`${party.name} never saw ${what}; its events:\n  ${events.slice(since).map((event) => JSON.stringify(event)).join('\n  ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Alice video-calls Bob, who answers; both see and hear each other. */
  async function callBetween(alice, bob) {
    await alice.run('call', bob.userId);
    await bob.run('accept', STEP_MS);
    await alice.run('waitActive', STEP_MS);
    await Promise.all([alice.run('media', bob.userId, STEP_MS), bob.run('media', alice.userId, STEP_MS)]);
  }

  /**
   * Bob's page reloads (or goes away and back, through `leave`) in the middle of the call: the new
   * page is in the call again with no ring, its devices as they were (microphone muted before),
   * sees and hears Alice, and Alice held Bob as reconnecting and sees and hears him again.
   */
  async function assertResumes(alice, bob, leave) {
    await bob.run('setMicrophone', false);
    await eventOf(alice, 'Bob muted', (event) => event.participant?.id === bob.userId && event.participant.microphoneEnabled === false);
    const aliceSince = (await alice.run('events')).length;
    const startedAt = Date.now();
    await leave();
    await bob.ready();

    assert.equal(await bob.run('state'), 'active', "Bob's new page should be in the call");
    assert.deepEqual(await bob.run('resumedCall'), {
      id: (await alice.run('resumedCall')).id,
      resumed: true,
      microphoneEnabled: false,
      cameraEnabled: true,
    });
    const bobEvents = await bob.run('events');
    assert.ok(bobEvents.some((event) => event.type === 'call-resumed' && event.resumed), 'Bob should be told with call-resumed');
    assert.ok(!bobEvents.some((event) => event.type === 'call-incoming'), 'Bob must not be rung again');

    const [bobSees, aliceSees] = await Promise.all([bob.run('media', alice.userId, STEP_MS), alice.run('media', bob.userId, STEP_MS)]);
    const bobMediaMs = Math.max(bobSees.videoAt, bobSees.audioAt) - startedAt;
    const aliceMediaMs = Math.max(aliceSees.videoAt, aliceSees.audioAt) - startedAt;
    const aliceEvents = (await alice.run('events')).slice(aliceSince);
    const away = aliceEvents.findIndex((event) => event.participant?.id === bob.userId && event.participant.away && event.participant.state === 'connecting');
    assert.ok(away >= 0, `Alice should have shown Bob reconnecting:\n${aliceEvents.map((event) => JSON.stringify(event)).join('\n')}`);
    assert.ok(
      aliceEvents.slice(away).some((event) => event.participant?.id === bob.userId && !event.participant.away && event.participant.state === 'connected'),
      'Alice should see Bob connected again',
    );
    for (const type of ['call-ended', 'call-participant-left', 'call-incoming']) {
      assert.ok(!aliceEvents.some((event) => event.type === type), `Alice should see no ${type}: ${JSON.stringify(aliceEvents.find((event) => event.type === type))}`);
    }
    assert.equal(await alice.run('state'), 'active');
    assert.equal((await alice.run('remote', bob.userId)).microphoneEnabled, false, 'Alice should still see Bob muted');
    console.log(
      `# ${bob.name}: page gone → its media at Alice's again ${aliceMediaMs} ms, Alice's at the new page ${bobMediaMs} ms (target ${TARGET_MS} ms)`,
    );
    assert.ok(Math.max(bobMediaMs, aliceMediaMs) < BOUND_MS, `media back after ${Math.max(bobMediaMs, aliceMediaMs)} ms`);
    assert.equal(await bob.run('hangUp'), 'idle');
    await eventOf(alice, 'the call ending', (event) => event.type === 'call-ended' && event.reason === 'remote-hangup');
  }

  test('Chromium: a reloaded page resumes its call', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromium, 'bob');
    await callBetween(alice, bob);
    await assertResumes(alice, bob, () => bob.page.reload({ waitUntil: 'load', timeout: STEP_MS }));
  });

  test('Firefox: a reloaded page resumes its call (with a Chromium peer)', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, firefox, 'bob');
    await callBetween(alice, bob);
    await assertResumes(alice, bob, () => bob.page.reload({ waitUntil: 'load', timeout: STEP_MS }));
  });

  test('Chromium: a page that navigates away and comes back resumes its call', { timeout: 60000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromium, 'bob');
    await callBetween(alice, bob);
    await assertResumes(alice, bob, async () => {
      await bob.page.goto(`${origin}/away`, { waitUntil: 'load', timeout: STEP_MS });
      await bob.page.goBack({ waitUntil: 'load', timeout: STEP_MS });
    });
  });

  test('Chromium: a closed page is dropped once its grace is over, as did-not-return', { timeout: 30000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromium, 'bob', { grace: SHORT_GRACE_MS });
    await callBetween(alice, bob);
    const since = (await alice.run('events')).length;
    const closedAt = Date.now();
    await bob.page.close();
    const away = await eventOf(alice, 'Bob held as reconnecting', (event) => event.participant?.id === bob.userId && event.participant.away, since);
    assert.equal(away.participant.state, 'connecting');
    const left = await eventOf(alice, 'Bob dropped', (event) => event.type === 'call-participant-left', since, SHORT_GRACE_MS + SWEEP_MS + STEP_MS);
    assert.equal(left.reason, 'did-not-return');
    const heldMs = left.at - closedAt;
    console.log(`# closed page: held as reconnecting for ${heldMs} ms (grace ${SHORT_GRACE_MS} ms)`);
    assert.ok(heldMs >= SHORT_GRACE_MS - 200 && heldMs < SHORT_GRACE_MS + SWEEP_MS + 2000, `held ${heldMs} ms`);
    const ended = await eventOf(alice, 'the call ending', (event) => event.type === 'call-ended', since);
    assert.equal(ended.reason, 'remote-hangup');
  });

  test('Chromium: a page that hung up and reloads does not rejoin', { timeout: 30000 }, async (t) => {
    const alice = await openParty(t, chromium, 'alice');
    const bob = await openParty(t, chromium, 'bob');
    await callBetween(alice, bob);
    const since = (await alice.run('events')).length;
    assert.equal(await bob.run('hangUp'), 'idle');
    const ended = await eventOf(alice, 'the call ending', (event) => event.type === 'call-ended', since);
    assert.equal(ended.reason, 'remote-hangup');
    await bob.page.reload({ waitUntil: 'load', timeout: STEP_MS });
    await bob.ready();
    assert.equal(await bob.run('state'), 'idle');
    assert.deepEqual(await bob.run('storedKeys'), [], 'nothing kept for a call that was hung up');
    // Long enough for a rejoin's join and offer to have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await alice.run('state'), 'idle');
    assert.equal(await bob.run('state'), 'idle');
    const later = (await alice.run('events')).slice(since).map((event) => event.type);
    assert.ok(!later.includes('call-incoming') && !later.includes('call-error'), `Alice's events: ${later.join(', ')}`);
  });
});

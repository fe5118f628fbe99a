#!/usr/bin/env node
// Drives the demo page with real browsers and takes screenshots of the main moments:
//   npm run build && node scripts/demo-screenshots.mjs [output-dir]   (default /tmp/meshcall-screenshots)
// Starts the demo server on a free port, opens Alice, Bob and Carol (fake camera and microphone),
// has Alice video-call Bob, Bob accept, Alice add Carol, then checks the error and end-of-call
// messages. Fails (exit code 1) when a step does not happen; everything it started is stopped.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from './browsers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.argv[2] ?? '/tmp/meshcall-screenshots';
const STEP_TIMEOUT = 20000;

if (!existsSync(join(root, 'dist/meshcall.bundle.js'))) {
  console.error('dist/meshcall.bundle.js is missing: run `npm run build` first.');
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function startServer(port) {
  const server = spawn(process.execPath, [join(root, 'scripts/demo-server.mjs')], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`demo server did not start:\n${output}`)), 15000);
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('meshcall demo: http')) {
        clearTimeout(timer);
        resolve(server);
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', (chunk) => (output += chunk));
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with ${code}:\n${output}`));
    });
  });
}

// axe-core comes with @open-wc/testing; the accessibility audit is skipped if it is not installed.
const axePath = (() => {
  try {
    return createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  } catch {
    return null;
  }
})();

const problems = [];
const shots = [];

async function openPage(browser, name, url, viewport = { width: 1280, height: 800 }) {
  // A context per person: separate storage, as separate people would have.
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(viewport);
  page.on('pageerror', (error) => problems.push(`${name}: page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${name}: console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => {
    if (!request.url().includes('/signal')) problems.push(`${name}: request failed: ${request.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

async function shot(page, file) {
  const path = join(outDir, file);
  await new Promise((resolve) => setTimeout(resolve, 350)); // let entrance animations finish
  await page.screenshot({ path });
  shots.push(path);
  console.log(`  screenshot ${path}`);
}

const waitForCallState = (page, state) =>
  page.waitForFunction((expected) => document.body.dataset.callState === expected, { timeout: STEP_TIMEOUT }, state);

/** What the page's <call-grid> shows, tile by tile. */
function tilesOf(page) {
  return page.evaluate(() => {
    const grid = document.querySelector('call-grid');
    return [...(grid?.shadowRoot?.querySelectorAll('[part=tile]') ?? [])].map((tile) => {
      const video = tile.querySelector('video');
      return {
        id: tile.dataset.participantId,
        videoWidth: video.videoWidth,
        playing: !video.paused && video.readyState >= 2,
        placeholder: tile.querySelector('[part=placeholder]') !== null,
        status: tile.querySelector('[part=status]')?.textContent ?? null,
      };
    });
  });
}

/** Waits until the grid shows exactly these people, each with live video. */
async function waitForVideoTiles(page, ids) {
  const deadline = Date.now() + STEP_TIMEOUT;
  let tiles = [];
  while (Date.now() < deadline) {
    tiles = await tilesOf(page);
    const shown = tiles.map((tile) => tile.id).sort();
    const ready = tiles.every((tile) => tile.videoWidth > 0 && tile.playing && !tile.placeholder && !tile.status);
    if (ready && JSON.stringify(shown) === JSON.stringify([...ids].sort())) return tiles;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`expected video tiles for ${ids.join(', ')}, got ${JSON.stringify(tiles)}`);
}

/** Waits for a toast containing `text` and returns its full text. */
async function waitForToast(page, text) {
  const handle = await page.waitForFunction(
    (wanted) => [...document.querySelectorAll('.toast')].find((toast) => toast.textContent.includes(wanted))?.textContent,
    { timeout: STEP_TIMEOUT },
    text,
  );
  return handle.jsonValue();
}

/** Runs axe on the page as it is now; violations count as problems. */
async function audit(page, label) {
  if (!axePath) return;
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations.map(
      (violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  });
  for (const violation of violations) problems.push(`${label}: accessibility: ${violation}`);
  console.log(`  axe ${label}: ${violations.length ? `${violations.length} violation(s)` : 'no violations'}`);
}

async function step(title, action) {
  console.log(`- ${title}`);
  await action();
}

const port = await freePort();
const base = `http://localhost:${port}`;
let server;
let browser;
try {
  server = await startServer(port);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS],
  });

  let alice;
  let bob;
  let carol;

  await step('user picker', async () => {
    const picker = await openPage(browser, 'picker', `${base}/`);
    await picker.waitForSelector('#picker-list a');
    await shot(picker, 'demo-picker.png');
    await audit(picker, 'picker');
    await picker.browserContext().close();
  });

  await step('Alice, Bob and Carol connect', async () => {
    alice = await openPage(browser, 'alice', `${base}/?user=alice&conversation=dm-alice-bob`);
    bob = await openPage(browser, 'bob', `${base}/?user=bob`);
    carol = await openPage(browser, 'carol', `${base}/?user=carol`);
    await Promise.all([alice, bob, carol].map((page) => waitForCallState(page, 'idle')));
    await shot(alice, 'demo-alice-idle.png');
    await audit(alice, 'alice idle');
  });

  await step('Alice calls Bob by video; Bob’s page rings', async () => {
    await alice.click('#video-call');
    await waitForCallState(alice, 'outgoing');
    await bob.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: STEP_TIMEOUT });
    const caller = await bob.$eval('incoming-call >>> [part=caller]', (element) => element.textContent);
    if (!caller.includes('Alice')) throw new Error(`Bob's dialog says "${caller}"`);
    await shot(alice, 'demo-alice-calling.png');
    await shot(bob, 'demo-bob-ringing.png');
    await audit(bob, 'bob ringing');
  });

  await step('Bob accepts with video; both see each other', async () => {
    await bob.click('incoming-call >>> [part=accept-video-button]');
    await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
    await waitForVideoTiles(alice, ['alice', 'bob']);
    await waitForVideoTiles(bob, ['alice', 'bob']);
    const bobConversation = await bob.$eval('#conversation-title', (element) => element.textContent);
    if (bobConversation !== 'Alice') throw new Error(`Bob's page shows conversation "${bobConversation}" after answering`);
    await new Promise((resolve) => setTimeout(resolve, 1200)); // a few frames, and the timer ticks
    await shot(alice, 'demo-call-1to1.png');
    await shot(bob, 'demo-call-1to1-bob.png');
    await audit(alice, 'alice in a call');
  });

  await step('Alice adds Carol; Carol accepts; three people see each other', async () => {
    await alice.click('#add-person');
    await alice.waitForSelector('#add-person-menu [data-user=carol]', { visible: true });
    await shot(alice, 'demo-add-person.png');
    await audit(alice, 'add person menu');
    await alice.click('#add-person-menu [data-user=carol]');
    await carol.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: STEP_TIMEOUT });
    await shot(carol, 'demo-carol-ringing.png');
    await carol.click('incoming-call >>> [part=accept-video-button]');
    for (const page of [alice, bob, carol]) await waitForVideoTiles(page, ['alice', 'bob', 'carol']);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await shot(alice, 'demo-call-3way.png');
    // Width only: changing isMobile would reload the page (and leave the call).
    await carol.setViewport({ width: 390, height: 844 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await shot(carol, 'demo-call-3way-mobile.png');
    await carol.setViewport({ width: 1280, height: 800 });
  });

  await step('Bob mutes his microphone; the others see it', async () => {
    await bob.click('media-controls >>> [part=microphone-button]');
    await alice.waitForFunction(
      () => document.querySelector('call-grid').shadowRoot.querySelector('[data-participant-id=bob] [part=mic-off]'),
      { timeout: STEP_TIMEOUT },
    );
  });

  await step('Carol hangs up, then Alice; Bob is told and the call is logged', async () => {
    await carol.click('media-controls >>> [part=hangup-button]');
    await waitForCallState(carol, 'idle');
    console.log(`  alice: "${await waitForToast(alice, 'Carol left')}"`);
    await waitForVideoTiles(alice, ['alice', 'bob']);
    await alice.click('media-controls >>> [part=hangup-button]');
    await Promise.all([waitForCallState(alice, 'idle'), waitForCallState(bob, 'idle')]);
    console.log(`  bob: "${await waitForToast(bob, 'Call ended')}"`);
    await bob.waitForSelector('.timeline-call');
    await shot(bob, 'demo-call-ended.png');
  });

  await step('Bob declines a voice call from Alice', async () => {
    await alice.click('#voice-call');
    await bob.waitForSelector('incoming-call >>> [part=decline-button]', { visible: true, timeout: STEP_TIMEOUT });
    await bob.click('incoming-call >>> [part=decline-button]');
    console.log(`  alice: "${await waitForToast(alice, 'Call declined')}"`);
    await waitForCallState(alice, 'idle');
  });

  await step('Alice calls Dave, who is offline', async () => {
    await alice.click('[data-conversation=dm-alice-dave]');
    await alice.waitForFunction(() => document.querySelector('#voice-call').getAttribute('participants') === 'dave');
    await alice.click('#voice-call');
    console.log(`  alice: "${await waitForToast(alice, 'Dave is offline')}"`);
    await waitForCallState(alice, 'idle');
    await shot(alice, 'demo-error-offline.png');
    await audit(alice, 'error toast');
  });

  await step('Alice reloads her tab and is back online', async () => {
    await alice.reload({ waitUntil: 'load' });
    await waitForCallState(alice, 'idle');
  });

  await step('Alice switches user, picks Alice again, then goes back twice', async () => {
    await Promise.all([alice.waitForNavigation(), alice.click('#switch-user')]);
    await Promise.all([alice.waitForNavigation(), alice.click('#picker-list a[href="?user=alice"]')]);
    await waitForCallState(alice, 'idle');
    await alice.goBack();
    await alice.goBack();
    // Restored from the back/forward cache: it must register again, and be let in.
    await waitForCallState(alice, 'idle');
  });

  await step('A second tab as Alice is refused', async () => {
    const twin = await openPage(browser, 'alice-2', `${base}/?user=alice`);
    console.log(`  second tab: "${await waitForToast(twin, 'already open in another tab')}"`);
    await shot(twin, 'demo-error-identity.png');
    // The refusal is expected here, and Chromium logs the failed registration; not a problem of the page.
    for (let index = problems.length - 1; index >= 0; index -= 1) {
      if (problems[index].startsWith('alice-2:')) problems.splice(index, 1);
    }
    await twin.browserContext().close();
  });

  console.log(`\nScreenshots in ${outDir}:\n${shots.map((path) => `  ${path}`).join('\n')}`);
  if (problems.length) {
    console.log(`\nProblems seen in the pages:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`\nFAILED: ${error.stack ?? error}`);
  if (problems.length) console.error(`Problems seen in the pages:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

#!/usr/bin/env node
// Screenshots of a shared screen in the demo: npm run build && node scripts/screen-share-screenshots.mjs [dir]
// (default /tmp/meshcall-screenshots). Alice video-calls Bob, Bob accepts, Alice shares her screen with
// the toolbar's toggle (Chromium's fake screen, through its real picker), Bob's page shows the presenter
// layout (1280x800 and 390x844), Bob takes over, Alice is told; then Bob stops and the grid comes back.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from './browsers.mjs';
import { freePort, startDemoServer } from './demo-process.mjs';

const outDir = process.argv[2] ?? '/tmp/meshcall-screenshots';
const TIMEOUT = 20000;
mkdirSync(outDir, { recursive: true });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const port = await freePort();
const server = await startDemoServer(port);

const problems = [];
const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS] });
const base = `http://localhost:${port}`;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function open(name, url) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(DESKTOP);
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`${name}: console error: ${message.text()}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}
const waitForCallState = (page, state) => page.waitForFunction((expected) => document.body.dataset.callState === expected, { timeout: TIMEOUT }, state);
async function shot(page, file) {
  await sleep(800);
  await page.screenshot({ path: join(outDir, file) });
  console.log(`  screenshot ${join(outDir, file)}`);
}
/** The presenter layout as the page's grid shows it, once the screen plays. */
const waitForStage = (page, caption) =>
  page.waitForFunction(
    (text) => {
      const root = document.querySelector('call-grid')?.shadowRoot;
      const video = root?.querySelector('[part=screen]');
      return root?.querySelector('[part=presenter]')?.textContent === text && video?.videoWidth > 0 && !video.paused;
    },
    { timeout: TIMEOUT },
    caption,
  );

try {
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob`);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));
  await alice.click('#video-call');
  await bob.waitForSelector('incoming-call >>> [part=accept-video-button]', { visible: true, timeout: TIMEOUT });
  await bob.click('incoming-call >>> [part=accept-video-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await sleep(1000);
  await shot(alice, 'screen-toolbar.png');

  console.log('- Alice shares her screen');
  await alice.click('media-controls >>> [part=screen-share-button]');
  await waitForStage(bob, 'Alice is presenting');
  await waitForStage(alice, 'You are presenting');
  const pressed = await alice.$eval('media-controls >>> [part=screen-share-button]', (button) => button.getAttribute('aria-pressed'));
  if (pressed !== 'true') problems.push(`alice's toggle says aria-pressed=${pressed}`);
  await shot(bob, 'screen-presenter-bob.png');
  await shot(alice, 'screen-presenter-alice.png');
  await bob.setViewport(PHONE);
  await shot(bob, 'screen-presenter-bob-mobile.png');
  await bob.setViewport(DESKTOP);

  console.log('- Bob takes over');
  await bob.click('media-controls >>> [part=screen-share-button]');
  await waitForStage(alice, 'Bob is presenting');
  await alice.waitForFunction(() => [...document.querySelectorAll('.toast')].some((toast) => toast.textContent.includes('presenting now')), { timeout: TIMEOUT });
  await shot(alice, 'screen-taken-over-alice.png');

  console.log('- Bob stops; the grid comes back');
  await bob.click('media-controls >>> [part=screen-share-button]');
  await alice.waitForFunction(() => !document.querySelector('call-grid').shadowRoot.querySelector('[part=stage]'), { timeout: TIMEOUT });
  await shot(alice, 'screen-stopped-alice.png');
} catch (error) {
  problems.push(`FAILED: ${error.stack ?? error}`);
} finally {
  await browser.close().catch(() => undefined);
  server.kill('SIGTERM');
}
if (problems.length) {
  console.log(`Problems:\n${problems.join('\n')}`);
  process.exitCode = 1;
}

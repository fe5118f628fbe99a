#!/usr/bin/env node
// Screenshots of the pre-join preview in the demo: npm run build:js && node scripts/preview-screenshots.mjs [dir]
// (default /tmp/meshcall-preview). Alice opens "Devices" (the check before a call), turns the camera off
// and on, then calls Bob from it; Bob, rung, opens the check from the incoming dialog and joins from there.
// At 1280x800 and 390x844, light and dark.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from './browsers.mjs';
import { freePort, startDemoServer } from './demo-process.mjs';

const outDir = process.argv[2] ?? '/tmp/meshcall-preview';
const TIMEOUT = 20000;
mkdirSync(outDir, { recursive: true });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const port = await freePort();
const server = await startDemoServer(port);

const problems = [];
const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS] });
const base = `http://localhost:${port}`;
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

async function open(name, url) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(SIZES.desktop);
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`${name}: console error: ${message.text()}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}
const waitForCallState = (page, state) => page.waitForFunction((expected) => document.body.dataset.callState === expected, { timeout: TIMEOUT }, state);
const waitForPreview = (page, open) =>
  page.waitForFunction((expected) => document.querySelector('call-preview')?.shadowRoot?.querySelector('[part~=base]')?.dataset.state === expected, { timeout: TIMEOUT }, open ? 'open' : 'closed');
const press = (page, selector) => page.$eval(selector, (element) => element.click());

async function shots(page, name) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewport(viewport);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await sleep(700);
      const file = join(outDir, `${name}-${size}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(`  screenshot ${file}`);
    }
  }
  await page.setViewport(SIZES.desktop);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
}

try {
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob`);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));

  console.log('- Alice checks her devices');
  await press(alice, '#device-settings');
  await waitForPreview(alice, true);
  await alice.waitForFunction(() => Number(document.querySelector('call-preview').shadowRoot.querySelector('[part~=meter]').getAttribute('aria-valuenow')) > 0, { timeout: TIMEOUT });
  await sleep(1000);
  await shots(alice, 'preview');
  await press(alice, 'call-preview >>> [part~=camera-option] input');
  await alice.waitForSelector('call-preview >>> [part~=camera-off]', { timeout: TIMEOUT });
  await shots(alice, 'preview-camera-off');
  await press(alice, 'call-preview >>> [part~=camera-option] input');
  await alice.waitForSelector('call-preview >>> [part~=video]', { timeout: TIMEOUT });

  console.log('- Alice calls Bob from the preview');
  await press(alice, 'call-preview >>> [part~=join-button]');
  await bob.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: TIMEOUT });
  if (await alice.$eval('#preview-dialog', (dialog) => dialog.open)) problems.push('alice: the preview dialog stayed open after calling');
  await shots(bob, 'incoming-with-preview-entry');

  console.log('- Bob checks his devices from the ring, then joins');
  await press(bob, '#incoming-preview');
  await waitForPreview(bob, true);
  await sleep(1000);
  await shots(bob, 'preview-while-rung');
  await press(bob, 'call-preview >>> [part~=join-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await sleep(2000);
  await shots(bob, 'call-after-preview');
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

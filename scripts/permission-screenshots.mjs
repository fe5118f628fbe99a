#!/usr/bin/env node
// Screenshots of a refused microphone and camera in the demo: npm run build:js && node scripts/permission-screenshots.mjs [dir]
// (default /tmp/meshcall-permissions). Alice (an ordinary test Chromium) video-calls Bob, whose Chromium refuses
// both devices for real (no fake prompt, --deny-permission-prompts); Bob accepts and is in the call receive-only,
// with <permission-help> and the microphone shown unavailable. Then Bob's placed call that cannot start.
// At 1280x800 and 390x844, light and dark.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from './browsers.mjs';
import { freePort, startDemoServer } from './demo-process.mjs';

const outDir = process.argv[2] ?? '/tmp/meshcall-permissions';
const TIMEOUT = 20000;
mkdirSync(outDir, { recursive: true });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const port = await freePort();
const server = await startDemoServer(port);
const problems = [];
const base = `http://localhost:${port}`;
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const allowing = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS] });
const refusing = await puppeteer.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'), '--deny-permission-prompts', ...CHROMIUM_FOREGROUND_ARGS],
});

async function open(browser, name, url) {
  const page = await browser.newPage();
  await page.setViewport(SIZES.desktop);
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}
const waitForCallState = (page, state) => page.waitForFunction((expected) => document.body.dataset.callState === expected, { timeout: TIMEOUT }, state);

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
  const alice = await open(allowing, 'alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open(refusing, 'bob', `${base}/?user=bob&conversation=dm-alice-bob`);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));

  console.log('- Alice video-calls Bob; Bob, whose browser refuses both devices, accepts with video');
  await alice.click('#video-call');
  await bob.waitForSelector('incoming-call >>> [part=accept-video-button]', { visible: true, timeout: TIMEOUT });
  await bob.click('incoming-call >>> [part=accept-video-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await bob.waitForSelector('permission-help >>> [part~=base]', { visible: true, timeout: TIMEOUT });
  await sleep(2000);
  await shots(bob, 'permission-receive-only');
  await bob.click('media-controls >>> [part~=hangup-button]');
  await Promise.all([waitForCallState(alice, 'idle'), waitForCallState(bob, 'idle')]);

  console.log('- Bob calls Alice: his call cannot start');
  await bob.click('permission-help >>> [part~=close-button]').catch(() => undefined);
  await bob.click('#voice-call');
  await bob.waitForFunction(() => document.querySelector('permission-help').shadowRoot.querySelector('[part~=message]')?.textContent.includes('did not start'), { timeout: TIMEOUT });
  await sleep(500);
  await shots(bob, 'permission-call-not-started');
} catch (error) {
  problems.push(`FAILED: ${error.stack ?? error}`);
} finally {
  await Promise.allSettled([allowing.close(), refusing.close()]);
  server.kill('SIGTERM');
}
if (problems.length) {
  console.log(`Problems:\n${problems.join('\n')}`);
  process.exitCode = 1;
}

#!/usr/bin/env node
// Screenshots of how the demo rings people: the incoming dialog with the conversation's title, a call
// waiting over a running call, and the call that accepting it starts; the notification-permission
// button too. Checks the dialog's texts on the way.
//   npm run build:js && node scripts/ringing-screenshots.mjs [output-dir]   (default /tmp/meshcall-ringing)
// Fails (exit code 1) when a step does not happen; everything it started is stopped.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from './browsers.mjs';
import { freePort, startDemoServer } from './demo-process.mjs';

const outDir = process.argv[2] ?? '/tmp/meshcall-ringing';
const TIMEOUT = 20000;
mkdirSync(outDir, { recursive: true });

const port = await freePort();
const startServer = () => startDemoServer(port);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const base = `http://localhost:${port}`;
const problems = [];

const DESKTOP = { width: 1280, height: 800 };
/** A phone from the start: touch, mobile viewport. */
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };

async function open(browser, user, viewport = DESKTOP) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(viewport);
  page.on('pageerror', (error) => problems.push(`${user}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${user}: console error: ${message.text()}`);
  });
  await page.goto(`${base}/?user=${user}`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.callState === 'idle', { timeout: TIMEOUT });
  return page;
}

async function shot(page, file) {
  await sleep(400);
  const path = join(outDir, file);
  await page.screenshot({ path });
  console.log(`  screenshot ${path}`);
}

async function expectText(page, selector, expected) {
  const actual = await page.$eval(selector, (element) => element.textContent.replace(/\s+/g, ' ').trim());
  if (actual !== expected) throw new Error(`${selector} says "${actual}", expected "${expected}"`);
}

let server;
let browser;
try {
  server = await startServer();
  browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS] });
  const alice = await open(browser, 'alice');
  const bob = await open(browser, 'bob');
  const carol = await open(browser, 'carol');
  const dave = await open(browser, 'dave', PHONE);

  console.log('- the notification button, before the permission is asked');
  await alice.waitForSelector('#enable-notifications', { visible: true });
  await shot(alice, 'ringing-enable-notifications.png');
  await shot(dave, 'ringing-enable-notifications-mobile.png');

  console.log('- Alice calls the Team; Bob’s dialog names the conversation');
  await alice.click('[data-conversation=team]');
  await alice.waitForFunction(() => document.querySelector('#voice-call').getAttribute('conversation-title') === 'Team');
  await alice.click('#voice-call');
  await bob.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: TIMEOUT });
  await expectText(bob, 'incoming-call >>> [part=caller]', 'Alice is calling');
  await expectText(bob, 'incoming-call >>> [part=details]', 'Voice call · Team');
  await shot(bob, 'ringing-incoming-title.png');
  await dave.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: TIMEOUT });
  await expectText(dave, 'incoming-call >>> [part=details]', 'Voice call · Team');
  await shot(dave, 'ringing-incoming-title-mobile.png');
  await shot(alice, 'ringing-caller-tiles.png');

  console.log('- Bob accepts, Carol declines; then Carol calls Bob, whose call waits');
  await bob.click('incoming-call >>> [part=accept-button]');
  await carol.waitForSelector('incoming-call >>> [part=decline-button]', { visible: true, timeout: TIMEOUT });
  await carol.click('incoming-call >>> [part=decline-button]');
  await dave.tap('incoming-call >>> [part=decline-button]');
  await bob.waitForFunction(() => document.body.dataset.callState === 'active', { timeout: TIMEOUT });
  await carol.waitForFunction(() => document.body.dataset.callState === 'idle', { timeout: TIMEOUT });
  await carol.click('[data-conversation=dm-bob-carol]');
  await carol.waitForFunction(() => document.querySelector('#voice-call').getAttribute('participants') === 'bob');
  await carol.click('#voice-call');
  await bob.waitForSelector('incoming-call >>> [part=end-and-accept-button]', { visible: true, timeout: TIMEOUT });
  await expectText(bob, 'incoming-call >>> [part=caller]', 'Carol is calling');
  await expectText(bob, 'incoming-call >>> [part=waiting-note]', 'You are in a call: accepting ends it.');
  await shot(bob, 'ringing-call-waiting.png');

  console.log('- Bob ends his call and accepts Carol’s');
  await bob.click('incoming-call >>> [part=end-and-accept-button]');
  await carol.waitForFunction(() => document.body.dataset.callState === 'active', { timeout: TIMEOUT });
  await bob.waitForFunction(() => document.querySelector('#call-title')?.textContent === 'Voice call with Carol', { timeout: TIMEOUT });
  await shot(bob, 'ringing-waiting-accepted.png');
  await shot(alice, 'ringing-alice-after.png');

  if (problems.length) {
    console.log(`Problems seen in the pages:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`FAILED: ${error.stack ?? error}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) server.kill('SIGTERM');
}

#!/usr/bin/env node
// Screenshots of the demo under a rate limit: npm run build:js && node scripts/rate-limit-screenshots.mjs [dir]
// (default /tmp/meshcall-rate-limit). Needs root: the demo server and one Chromium run in a network
// namespace of their own, where an htb class on `lo` limits UDP (the media) and leaves TCP alone
// (the recipe of ../shared/webrtc-testing.md). Alice video-calls Bob; all media is then limited to
// 400 kbit/s (Bob's page shows Alice's connection as poor), then to 80 kbit/s (Alice's video pauses,
// Bob's page says so while her voice goes on). Bob's page at 1280x800 and 390x844 each time.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNLIMITED, createShapedNamespace, deleteNamespace, setUdpRate } from './shaped-namespace.mjs';

const HERE = fileURLToPath(import.meta.url);
const outDir = process.argv[2] ?? '/tmp/meshcall-rate-limit';
const TIMEOUT = 40000;

if (!process.env.MESHCALL_NETNS) {
  const name = `meshcallshot${process.pid}`;
  const reason = createShapedNamespace(name);
  if (reason) {
    console.error(`rate-limit screenshots need a shaped network namespace (root): ${reason}`);
    process.exit(1);
  }
  let code = 1;
  try {
    const child = spawn('ip', ['netns', 'exec', name, process.execPath, HERE, outDir], { env: { ...process.env, MESHCALL_NETNS: name }, stdio: 'inherit' });
    code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  } finally {
    deleteNamespace(name);
  }
  process.exit(code);
}

const { default: puppeteer } = await import('puppeteer-core');
const { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } = await import('./browsers.mjs');
const { freePort, startDemoServer } = await import('./demo-process.mjs');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
mkdirSync(outDir, { recursive: true });

const port = await freePort();
const server = await startDemoServer(port);
// Inside the namespace there is only `lo`, and Chromium gathers no loopback candidates by default.
const browser = await puppeteer.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS, '--allow-loopback-in-peer-connection'],
});
const problems = [];
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const base = `http://localhost:${port}`;

async function open(name, url) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(SIZES.desktop);
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}
const waitForCallState = (page, state) => page.waitForFunction((expected) => document.body.dataset.callState === expected, { timeout: TIMEOUT }, state);
/** Bob's tile of Alice, as the page shows it. */
const tileHas = (page, part) =>
  page.waitForFunction((part) => {
    const grid = document.querySelector('call-grid')?.shadowRoot;
    return [...(grid?.querySelectorAll('[data-participant-id]') ?? [])].some((tile) => tile.dataset.participantId.startsWith('alice') && tile.querySelector(`[part~="${part}"]`));
  }, { timeout: TIMEOUT, polling: 250 }, part);

async function shots(page, name) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewport(viewport);
    await sleep(700);
    const file = join(outDir, `${name}-${size}.png`);
    await page.screenshot({ path: file });
    console.log(`  screenshot ${file}`);
  }
  await page.setViewport(SIZES.desktop);
}

try {
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob`);
  await Promise.all([alice, bob].map((page) => waitForCallState(page, 'idle')));
  await alice.click('#video-call');
  await bob.waitForSelector('incoming-call >>> [part=accept-video-button]', { visible: true, timeout: TIMEOUT });
  await bob.click('incoming-call >>> [part=accept-video-button]');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await tileHas(bob, 'network-quality-excellent').catch(() => tileHas(bob, 'network-quality-good'));
  await shots(bob, 'unlimited');

  console.log('- 400 kbit/s');
  setUdpRate('400kbit');
  await tileHas(bob, 'network-quality-poor');
  await shots(bob, 'poor');

  console.log('- 80 kbit/s');
  setUdpRate('80kbit');
  await tileHas(bob, 'video-paused');
  await shots(bob, 'paused');
  setUdpRate(UNLIMITED);
} catch (error) {
  problems.push(error.stack ?? String(error));
} finally {
  await browser.close();
  server.kill();
}
if (problems.length > 0) {
  console.error(`problems:\n${problems.join('\n')}`);
  process.exit(1);
}

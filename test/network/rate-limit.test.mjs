// Network quality and adaptation under a real rate limit, in Chromium: the whole test (PeerServer,
// static server, browser) runs inside a network namespace of its own, where an htb class on `lo`
// limits UDP (the media) and leaves TCP (signalling, DevTools) alone; the limit changes mid-call.
// The kernel here has no netem, so the limit is a rate, not random loss.
// Needs root (ip netns) and the built bundle (`npm run build:js`). Run: node --test test/network/
// Without namespaces (not root, no iproute2) the test is skipped with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UNLIMITED, runInShapedNamespace, setUdpRate } from '../../scripts/shaped-namespace.mjs';

const HERE = fileURLToPath(import.meta.url);
const BUNDLE = fileURLToPath(new URL('../../dist/meshcall.bundle.js', import.meta.url));
const PAGE = fileURLToPath(new URL('./page.html', import.meta.url));
const INSIDE = process.env.MESHCALL_NETNS;
const SIGNAL_PATH = '/signal';
/** With MESHCALL_SCREENSHOTS=dir, the grids are shot under the limit: dir/rate-limit-poor.png, dir/rate-limit-paused.png. */
const SHOTS = process.env.MESHCALL_SCREENSHOTS;

if (!INSIDE) {
  test('network quality and adaptation under a UDP rate limit (Chromium, network namespace)', { timeout: 150_000 }, async (t) => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run \`npm run build:js\` first.`);
    const run = await runInShapedNamespace(`meshcallq${process.pid}`, HERE);
    if (run.skipped) {
      t.skip(run.skipped);
      return;
    }
    assert.equal(run.code, 0, `the scenario failed inside the namespace:
${run.output}`);
  });
} else {
  await runInside(INSIDE);
}

async function runInside(namespace) {
  const { default: puppeteer } = await import('puppeteer-core');
  const { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } = await import('../../scripts/browsers.mjs');
  const log = (line) => console.log(`# ${line}`);
  const watchdog = setTimeout(() => {
    console.error('rate-limit scenario: still running after 140 s; exiting.');
    process.exit(1);
  }, 140_000);
  const peer = startPeerServer();
  const server = await startStaticServer();
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Inside the namespace there is only `lo`, and Chromium gathers no loopback candidates by default.
    args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS, '--allow-loopback-in-peer-connection'],
    protocolTimeout: 30_000,
  });
  let failed = false;
  try {
    const { port } = await peer.ready;
    const origin = `http://127.0.0.1:${server.address().port}/`;
    const open = async (id) => {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`${id} pageerror: ${error.message}`));
      await page.goto(origin);
      await page.waitForFunction(() => window.harnessReady === true, { timeout: 10_000 });
      await page.evaluate(
        (id, port, path) => window.controller.connect({ user: { id }, server: { host: '127.0.0.1', port, path }, iceServers: [], media: { video: { width: 640, height: 480 } } }),
        id,
        port,
        SIGNAL_PATH,
      );
      return page;
    };
    const alice = await open(`alice${process.pid}`);
    const bob = await open(`bob${process.pid}`);
    const aliceId = `alice${process.pid}`;
    const bobId = `bob${process.pid}`;
    await alice.evaluate((bobId) => window.controller.startCall({ conversationId: 'net', participants: [bobId], video: true }), bobId);
    await bob.waitForFunction(() => window.controller.state === 'incoming', { timeout: 10_000 });
    await bob.evaluate(() => window.controller.accept());
    await alice.waitForFunction(() => window.controller.state === 'active', { timeout: 10_000 });

    const levels = (page, otherId) =>
      page.evaluate((otherId) => {
        const call = window.controller.call;
        return { local: call?.local.networkQuality ?? null, remote: call?.participants.get(otherId)?.networkQuality ?? null };
      }, otherId);
    const encoding = () =>
      alice.evaluate((bobId) => {
        const sender = window.controller.connectionOf(bobId)?.getSenders().find((each) => each.track?.kind === 'video');
        const { maxBitrate, scaleResolutionDownBy, maxFramerate, active } = sender?.getParameters().encodings?.[0] ?? {};
        return { maxBitrate, scaleResolutionDownBy, maxFramerate, active };
      }, bobId);
    const waitFor = async (what, check, timeoutMs) => {
      const start = Date.now();
      for (;;) {
        const value = await check();
        if (value) return (Date.now() - start) / 1000;
        if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const good = (level) => level === 'excellent' || level === 'good';

    // Unlimited: both sides see the other, and their own uplink, as excellent or good.
    const upAfter = await waitFor('good levels on an unlimited network', async () => {
      const [a, b] = [await levels(alice, bobId), await levels(bob, aliceId)];
      return good(a.local) && good(a.remote) && good(b.local) && good(b.remote);
    }, 15_000);
    log(`unlimited: levels good after ${upAfter.toFixed(1)} s: alice ${JSON.stringify(await levels(alice, bobId))}, encoding ${JSON.stringify(await encoding())}`);

    // 250 kbit/s for all UDP (both directions share it): the levels drop to poor.
    setUdpRate('250kbit');
    const poorAfter = await waitFor('alice\'s uplink and bob\'s view of alice poor under 250 kbit/s', async () => {
      const [a, b] = [await levels(alice, bobId), await levels(bob, aliceId)];
      return a.local === 'poor' && b.remote === 'poor';
    }, 25_000);
    const stats = await alice.evaluate((bobId) => window.controller.statsOf(bobId), bobId);
    log(`250 kbit/s: poor after ${poorAfter.toFixed(1)} s; available ${stats.availableOutgoingBitrate} bit/s, sending ${stats.sendBitrate}, rtt ${stats.rttMs} ms; encoding ${JSON.stringify(await encoding())}`);
    if (SHOTS) await alice.screenshot({ path: `${SHOTS}/rate-limit-poor.png`, clip: { x: 0, y: 0, width: 660, height: 200 } });
    const limited = await encoding();
    assert.ok(limited.maxBitrate < 400_000 && limited.scaleResolutionDownBy > 1, `the policy should have reduced the camera: ${JSON.stringify(limited)}`);

    // 80 kbit/s: too little for video beside the audio: alice pauses her camera, bob is told.
    setUdpRate('80kbit');
    const pausedAfter = await waitFor('bob told that alice paused her video under 80 kbit/s', () =>
      bob.evaluate((aliceId) => window.controller.call?.participants.get(aliceId)?.videoPaused === true, aliceId), 30_000);
    const tileText = () =>
      bob.evaluate((aliceId) => {
        const tile = document.querySelector('call-grid').shadowRoot.querySelector(`[data-participant-id="${aliceId}"]`);
        return { paused: tile?.querySelector('[part~="video-paused"]')?.textContent.trim() ?? null, text: tile?.textContent.replace(/\s+/g, ' ').trim(), state: window.controller.call?.participants.get(aliceId)?.state };
      }, aliceId);
    await waitFor('bob\'s tile of alice saying her video is paused', async () => (await tileText()).paused === 'Video paused: poor connection', 5_000).catch(
      async (error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await tileText())}`);
      },
    );
    if (SHOTS) await bob.screenshot({ path: `${SHOTS}/rate-limit-paused.png`, clip: { x: 0, y: 0, width: 660, height: 200 } });
    log(`80 kbit/s: video paused after ${pausedAfter.toFixed(1)} s; encoding ${JSON.stringify(await encoding())}`);

    // Released: video comes back by itself, the full encoding returns, the levels recover.
    setUdpRate(UNLIMITED);
    const resumedAfter = await waitFor('alice\'s video resumed after the release', () =>
      bob.evaluate((aliceId) => window.controller.call?.participants.get(aliceId)?.videoPaused === false, aliceId), 40_000);
    const trace = [];
    const fullAfter = await waitFor('the full encoding back after the release', async () => {
      const now = await encoding();
      const stats = await alice.evaluate((bobId) => window.controller.statsOf(bobId), bobId);
      trace.push(`${now.maxBitrate}/${now.scaleResolutionDownBy?.toFixed(2)}/${now.active ? 'on' : 'off'} avail ${stats?.availableOutgoingBitrate} sent ${stats?.sendBitrate} ${stats?.qualityLimitationReason} rtt ${stats?.rttMs} loss ${stats?.remoteLossRatio}`);
      return now.maxBitrate === 1_500_000;
    }, 40_000).catch((error) => {
      throw new Error(`${error.message}; every 4th sample:\n${trace.filter((_, index) => index % 4 === 0).join('\n')}`);
    });
    const recoveredAfter = await waitFor('good levels after the release', async () => {
      const [a, b] = [await levels(alice, bobId), await levels(bob, aliceId)];
      return good(a.local) && good(b.remote);
    }, 40_000);
    log(`released: video resumed after ${resumedAfter.toFixed(1)} s, full encoding ${(resumedAfter + fullAfter).toFixed(1)} s, good levels ${(resumedAfter + fullAfter + recoveredAfter).toFixed(1)} s`);
    log(`alice's level changes: ${JSON.stringify(await alice.evaluate(() => window.qualityLog))}`);
    await Promise.all([alice, bob].map((page) => page.evaluate(() => window.controller.disconnect())));
  } catch (error) {
    failed = true;
    console.error(error.stack ?? String(error));
  } finally {
    await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    server.close();
    await peer.stop();
    clearTimeout(watchdog);
  }
  log(`namespace ${namespace}: ${failed ? 'FAILED' : 'passed'}`);
  process.exit(failed ? 1 : 0);
}

/** A PeerServer in a worker thread (peer keeps timers its close() does not stop; terminating the worker ends them). */
function startPeerServer() {
  const worker = new Worker(
    `
    const { createRequire } = require('node:module');
    const { parentPort, workerData } = require('node:worker_threads');
    const { PeerServer } = createRequire(workerData.base)('peer');
    PeerServer({ host: '127.0.0.1', port: 0, path: workerData.path, expire_timeout: 1500, alive_timeout: 60000, allow_discovery: false },
      (server) => parentPort.postMessage({ port: server.address().port }));
    `,
    { eval: true, workerData: { base: import.meta.url, path: SIGNAL_PATH } },
  );
  return { ready: new Promise((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject))), stop: () => worker.terminate() };
}

function startStaticServer() {
  const routes = { '/': [PAGE, 'text/html; charset=utf-8'], '/dist/meshcall.bundle.js': [BUNDLE, 'text/javascript; charset=utf-8'] };
  const server = createServer(async (request, response) => {
    const route = routes[new URL(request.url, 'http://127.0.0.1').pathname];
    if (!route) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': route[1], 'cache-control': 'no-store' }).end(await readFile(route[0]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

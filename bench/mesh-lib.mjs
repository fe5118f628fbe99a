// Node-side helpers for N-person calls with one page per participant, shared by bench/mesh.mjs and
// the connection count of bench/setup.mjs. Everything is local: a PeerServer and a static server on
// 127.0.0.1, no ICE servers. The pages run bench/mesh-page.mjs.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from '../scripts/browsers.mjs';

const require = createRequire(import.meta.url);
// peer's ES-module build cannot import `ws` by name from Node: load its CommonJS build.
const { PeerServer } = require('peer');

export const root = fileURLToPath(new URL('..', import.meta.url));
export const HOST = '127.0.0.1';
const SIGNAL_PATH = '/signal';
const PAGE_SETUP_LIMIT_MS = 30000;
const STEP_LIMIT_MS = 15000;

/**
 * Installed before any script of a page runs, so that it sees every RTCPeerConnection the page
 * constructs, the ones libraries make while loading included.
 */
const COUNT_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__meshPeerConnections) return;
  const constructed = [];
  window.__meshPeerConnections = constructed;
  class CountedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      constructed.push(this);
    }
  }
  window.RTCPeerConnection = CountedPeerConnection;
})();`;

// ---- servers ----

export function startPeerServer(cleanups) {
  return new Promise((resolve, reject) => {
    const app = PeerServer(
      { host: HOST, port: 0, path: SIGNAL_PATH, allow_discovery: false, proxied: false },
      (server) => {
        cleanups.push(() => closeServer(server));
        resolve({ host: HOST, port: server.address().port, path: SIGNAL_PATH });
      },
    );
    app.on('error', reject);
  });
}

/**
 * A static server on 127.0.0.1 for one bench page (`page` at `path`, loading `script`) with the
 * built bundle and PeerJS's global build beside it.
 */
export function startStaticServer(cleanups, { path, title, script, bodyStyle = '' }) {
  const files = {
    [path]: {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
        `<body${bodyStyle ? ` style="${bodyStyle}"` : ''}><script type="module" src="/${script}"></script></body></html>`,
    },
    [`/${script}`]: { type: 'text/javascript', file: `${root}${script}` },
    '/dist/meshcall.bundle.js': { type: 'text/javascript', file: `${root}dist/meshcall.bundle.js` },
    '/dist/meshcall.bundle.js.map': { type: 'application/json', file: `${root}dist/meshcall.bundle.js.map` },
    '/peerjs.min.js': { type: 'text/javascript', file: require.resolve('peerjs/dist/peerjs.min.js') },
  };
  const server = createServer((request, response) => {
    const entry = files[new URL(request.url, 'http://x').pathname];
    if (!entry || (entry.file && !existsSync(entry.file))) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' });
    response.end(entry.body ?? readFileSync(entry.file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      cleanups.push(() => closeServer(server));
      resolve({ origin: `http://${HOST}:${server.address().port}` });
    });
  });
}

export function startMeshStaticServer(cleanups) {
  return startStaticServer(cleanups, { path: '/mesh.html', title: 'meshcall mesh bench', script: 'bench/mesh-page.mjs', bodyStyle: 'margin:0' });
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

// ---- browser ----

/** One Chromium; every page gets its own window, so that none is a hidden background tab. */
export async function launchBrowser() {
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS],
  });
}

let runCount = 0;

/**
 * Opens one page per participant in `browser` and sets each up (meshcall: a connected
 * CallController; peerjs: an open Peer). Returns the session; `session.close()` closes the pages.
 */
export async function openParticipants({ browser, origin, signal, n, kind }) {
  const tag = `${kind === 'meshcall' ? 'm' : 'p'}${process.pid}r${++runCount}`;
  const ids = Array.from({ length: n }, (_, index) => `${tag}u${String(index).padStart(2, '0')}`);
  const pages = [];
  const logs = [];
  const session = {
    kind,
    n,
    ids,
    pages,
    logs,
    async close() {
      await Promise.all(pages.map((page) => withTimeout(page.close(), 10000, 'closing a page').catch(() => undefined)));
    },
  };
  try {
    for (let index = 0; index < n; index++) {
      const page = await browser.newPage({ type: 'window', windowBounds: { left: 40 * index, top: 0, width: 700, height: 420 } });
      const log = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') log.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => log.push(`pageerror: ${error.message}`));
      pages.push(page);
      logs.push(log);
      await page.evaluateOnNewDocument(COUNT_PEER_CONNECTIONS);
      await page.goto(`${origin}/mesh.html`, { waitUntil: 'load', timeout: PAGE_SETUP_LIMIT_MS });
      await withTimeout(page.waitForFunction(() => !!window.meshBench, { timeout: PAGE_SETUP_LIMIT_MS }), PAGE_SETUP_LIMIT_MS, 'page script');
    }
    const server = { host: signal.host, port: signal.port, path: signal.path };
    const visibility = await Promise.all(pages.map((page, index) =>
      withTimeout(page.evaluate((options) => window.meshBench.setup(options), { kind, id: ids[index], server }), PAGE_SETUP_LIMIT_MS, `${kind} page ${index} setup`),
    ));
    session.visibility = visibility;
    if (visibility.some((state) => state !== 'visible')) {
      throw new Error(`pages are not all visible (${visibility.join(', ')}): video frame callbacks would not run`);
    }
    await Promise.all(pages.map((page) => page.evaluate(() => window.meshBench.markSetupDone())));
  } catch (error) {
    await session.close();
    throw new Error(`${error.message}\n  page logs:\n${formatLogs(logs)}`);
  }
  return session;
}

export function formatLogs(logs) {
  return logs.map((log, index) => `    page ${index}: ${log.slice(-8).join('\n      ') || '(nothing)'}`).join('\n');
}

/**
 * Starts the call and waits until every page shows a frame of every other page. meshcall: page 0
 * rings the others, they all accept at once after `thinkMs` of ringing; t0 is the last accept().
 * peerjs: the first page opens its devices (as meshcall's caller did before ringing); after
 * `thinkMs`, every page at once opens its devices (the first: already open) and peer.call()s the
 * pages with a larger id; t0 is the last of those starts. Returns t0 and when everyone decoded everyone (epoch
 * ms), or `timedOut` with what was missing.
 */
export async function startAndWaitAllDecoded(session, { thinkMs = 1000, decodeTimeoutMs = 45000 } = {}) {
  const { pages, ids, kind, n } = session;
  let starts;
  if (kind === 'meshcall') {
    await withTimeout(pages[0].evaluate((others) => window.meshBench.startCall(others), ids.slice(1)), STEP_LIMIT_MS, 'startCall');
    await waitFor(async () => {
      const states = await Promise.all(pages.slice(1).map((page) => page.evaluate(() => window.meshBench.state())));
      return states.every((state) => state === 'incoming');
    }, STEP_LIMIT_MS, 'everyone ringing');
    await sleep(thinkMs);
    starts = await Promise.all(pages.slice(1).map((page) => withTimeout(page.evaluate(() => window.meshBench.accept()), STEP_LIMIT_MS, 'accept')));
  } else {
    // As meshcall's caller has its devices on while it rings, so has the first PeerJS page.
    await withTimeout(pages[0].evaluate(() => window.meshBench.prepareMedia()), STEP_LIMIT_MS, 'getUserMedia');
    await sleep(thinkMs);
    starts = await Promise.all(pages.map((page, index) =>
      withTimeout(page.evaluate((larger) => window.meshBench.startPeerjs(larger), ids.slice(index + 1)), STEP_LIMIT_MS, 'PeerJS start'),
    ));
  }
  const t0 = Math.max(...starts);
  const deadline = performance.now() + decodeTimeoutMs;
  const empty = { visibility: null, remotes: [], peerConnections: {}, errors: [] };
  let progress = pages.map(() => empty);
  /** Pages whose main thread did not answer within POLL_LIMIT_MS, and the longest wait, per page. */
  const slow = pages.map(() => 0);
  for (;;) {
    progress = await Promise.all(pages.map(async (page, index) => {
      const asked = performance.now();
      try {
        return await withTimeout(page.evaluate(() => window.meshBench.progress()), Math.max(1000, deadline - performance.now()), 'progress');
      } catch {
        return progress[index];
      } finally {
        slow[index] = Math.max(slow[index], Math.round(performance.now() - asked));
      }
    }));
    const complete = progress.every((page) => page.remotes.filter((remote) => remote.firstFrameAt !== null).length >= n - 1);
    if (complete) {
      const allDecodedAt = Math.max(...progress.flatMap((page) => page.remotes.map((remote) => remote.firstFrameAt)));
      return { t0, allDecodedAt, ms: allDecodedAt - t0, progress, timedOut: false, slowestAnswerMs: slow };
    }
    if (performance.now() > deadline) {
      const missing = progress.flatMap((page, index) => {
        const seen = new Set(page.remotes.filter((remote) => remote.firstFrameAt !== null).map((remote) => remote.id));
        return ids.filter((id, other) => other !== index && !seen.has(id)).map((id) => `${ids[index]}←${id}`);
      });
      return { t0, allDecodedAt: null, ms: null, progress, timedOut: true, missing, slowestAnswerMs: slow };
    }
    await sleep(100);
  }
}

/** framesDecoded per stream, keyed `${receiver}<-${sender}`, with each page's sample time. */
export async function sampleStreams(session) {
  const { pages, ids } = session;
  // A page too busy to answer counts as decoding nothing in this sample, rather than failing the run.
  const samples = await Promise.all(pages.map((page, index) =>
    withTimeout(page.evaluate((others) => window.meshBench.sample(others), ids.filter((_, other) => other !== index)), STEP_LIMIT_MS, 'getStats')
      .catch(() => ({ at: performance.timeOrigin + performance.now(), streams: {}, unanswered: true })),
  ));
  const streams = {};
  samples.forEach((sample, index) => {
    if (sample.unanswered) {
      for (const from of ids.filter((_, other) => other !== index)) {
        streams[`${ids[index]}<-${from}`] = { at: sample.at, framesDecoded: null, frameHeight: null, shown: 0, limitation: 'page did not answer' };
      }
    }
    for (const [from, stream] of Object.entries(sample.streams)) streams[`${ids[index]}<-${from}`] = { at: sample.at, ...stream };
  });
  return streams;
}

/** Per stream: decoded fps (getStats) and shown fps (video frame callbacks) between two samples. */
export function streamRates(before, after) {
  return Object.entries(after).map(([key, end]) => {
    const start = before[key];
    const seconds = (end.at - (start?.at ?? end.at)) / 1000;
    const decoded = start && start.framesDecoded !== null && end.framesDecoded !== null ? end.framesDecoded - start.framesDecoded : 0;
    const shown = start ? end.shown - start.shown : 0;
    return {
      key,
      decodedFps: seconds > 0 ? decoded / seconds : 0,
      shownFps: seconds > 0 ? shown / seconds : 0,
      decoding: decoded > 0,
      frameHeight: end.frameHeight,
      limitation: end.limitation,
    };
  });
}

// ---- CPU of the browser's processes ----

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU ticks used so far by the browser process and all its descendants, by pid. */
export function browserCpuTicks(browserPid) {
  const all = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat) all.push(stat);
  }
  const children = new Map();
  for (const stat of all) {
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(stat);
  }
  const ticks = new Map();
  const root = all.find((stat) => stat.pid === browserPid);
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const stat = stack.pop();
    ticks.set(stat.pid, stat.ticks);
    stack.push(...(children.get(stat.pid) ?? []));
  }
  return { at: performance.now(), ticks };
}

/** Average CPU between two readings, in % of one core (a process that started in between counts whole). */
export function cpuPercent(before, after) {
  let used = 0;
  for (const [pid, ticks] of after.ticks) used += ticks - (before.ticks.get(pid) ?? 0);
  const seconds = (after.at - before.at) / 1000;
  return (used / CLOCK_TICKS / seconds) * 100;
}

// ---- small helpers ----

export async function waitFor(check, ms, what) {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await sleep(100);
  }
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2;
}

export function printTable(rows, log = console.log) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const row of rows) {
    log(`  ${row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('   ')}`);
  }
}

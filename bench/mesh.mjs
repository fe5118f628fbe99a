#!/usr/bin/env node
// Mesh benchmark: `npm run bench:mesh` (builds first), or
// `node bench/mesh.mjs [--min 2] [--max 6] [--settle-seconds 5] [--measure-seconds 10] [--soak-seconds 60] [--think-ms 1000]`.
//
// N-person calls, N = min..max, one page per participant in one headless Chromium (each page in its
// own window, none throttled), meshcall and a bare PeerJS mesh in the same run, alternating which
// goes first. For each: the time from the last accept (PeerJS: the last page's start, its
// getUserMedia included) until every page shows a frame of every other page; RTCPeerConnections
// per page; received fps per stream over the measuring window after a settle period (inbound-rtp
// framesDecoded deltas, and frames shown by requestVideoFrameCallback); CPU of the browser's
// processes over that window. At N = 6 (only), the call goes on for --soak-seconds after everyone
// decoded everyone, and every one of the 30 streams must still be decoding then.
// Prints a table and the targets, writes bench/mesh-results.json. Exits 0 when a target is missed
// (and says so loudly), 1 only when the benchmark itself failed.
import { writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  root,
  startPeerServer,
  startMeshStaticServer,
  launchBrowser,
  openParticipants,
  startAndWaitAllDecoded,
  sampleStreams,
  streamRates,
  browserCpuTicks,
  cpuPercent,
  formatLogs,
  withTimeout,
  sleep,
  median,
  printTable,
} from './mesh-lib.mjs';

const SOAK_N = 6;
const FPS_TARGET_N = 5;
const FPS_TARGET = 12;
/** What "still decoding" is judged over at the end of the soak. */
const SOAK_CHECK_SECONDS = 5;

const { values: args } = parseArgs({
  options: {
    min: { type: 'string', default: '2' },
    max: { type: 'string', default: '6' },
    'settle-seconds': { type: 'string', default: '5' },
    'measure-seconds': { type: 'string', default: '10' },
    'soak-seconds': { type: 'string', default: '60' },
    'think-ms': { type: 'string', default: '1000' },
    only: { type: 'string', default: 'meshcall,peerjs' },
  },
});
const MIN_N = Number(args.min);
const MAX_N = Number(args.max);
const SETTLE_S = Number(args['settle-seconds']);
const MEASURE_S = Number(args['measure-seconds']);
const SOAK_S = Number(args['soak-seconds']);
const THINK_MS = Number(args['think-ms']);
const KINDS = args.only.split(',').filter(Boolean);
if (
  ![MIN_N, MAX_N, SETTLE_S, MEASURE_S, SOAK_S, THINK_MS].every(Number.isFinite) ||
  MIN_N < 2 || MAX_N < MIN_N || MAX_N > 12 || MEASURE_S <= 0 || SETTLE_S < 0 || SOAK_S < 0 ||
  KINDS.length === 0 || KINDS.some((kind) => kind !== 'meshcall' && kind !== 'peerjs')
) {
  console.error('usage: node bench/mesh.mjs [--min 2] [--max 6] [--settle-seconds 5] [--measure-seconds 10] [--soak-seconds 60] [--think-ms 1000] [--only meshcall,peerjs]');
  process.exit(1);
}

const cleanups = [];

try {
  await main();
  process.exitCode ??= 0;
} catch (error) {
  console.error(`\nbench:mesh: FAILED: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) {
    await Promise.race([cleanup().catch(() => undefined), sleep(10000)]);
  }
  setTimeout(() => process.exit(process.exitCode), 200).unref();
}

async function main() {
  if (!existsSync(`${root}dist/meshcall.bundle.js`)) throw new Error('dist/meshcall.bundle.js is missing: run `npm run build:js` first (or `npm run bench:mesh`).');
  const started = performance.now();
  const signal = await startPeerServer(cleanups);
  const web = await startMeshStaticServer(cleanups);

  const results = [];
  let browserVersion = null;
  for (let n = MIN_N; n <= MAX_N; n++) {
    const order = n % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of order) {
      const soakSeconds = n === SOAK_N ? SOAK_S : 0;
      console.log(`  N=${n} ${kind}${soakSeconds ? ` (soak ${soakSeconds} s)` : ''} …`);
      const result = await runOne({ n, kind, signal, web, soakSeconds });
      browserVersion ??= result.browserVersion;
      results.push(result);
      console.log(`    ${summaryLine(result)}`);
    }
  }

  const targets = evaluateTargets(results);
  const report = {
    date: new Date().toISOString(),
    environment: {
      node: process.version,
      chromium: browserVersion,
      cpus: cpus().length,
      settleSeconds: SETTLE_S,
      measureSeconds: MEASURE_S,
      soakSeconds: SOAK_S,
      thinkMs: THINK_MS,
    },
    results,
    targets: Object.fromEntries(targets.map((target) => [target.name, target.passed])),
  };
  writeFileSync(`${root}bench/mesh-results.json`, `${JSON.stringify(report, null, 2)}\n`);
  printReport(report, targets);
  console.log(`\nWrote bench/mesh-results.json (${((performance.now() - started) / 1000).toFixed(0)} s).`);
  const missed = targets.filter((target) => target.passed === false);
  if (missed.length > 0) {
    console.log(`\n${'!'.repeat(72)}\n!!! TARGET MISSED: ${missed.map((target) => target.name).join('; ')}\n${'!'.repeat(72)}`);
  } else {
    console.log('\nAll targets met.');
  }
}

/** One N-person call of one kind in a browser of its own, so that CPU readings are its alone. */
async function runOne({ n, kind, signal, web, soakSeconds }) {
  const browser = await launchBrowser();
  const closeBrowser = () => withTimeout(browser.close(), 15000, 'closing the browser').catch(() => browser.process()?.kill('SIGKILL'));
  cleanups.push(closeBrowser);
  const browserVersion = await browser.version();
  const pid = browser.process().pid;
  let session = null;
  try {
    session = await openParticipants({ browser, origin: web.origin, signal, n, kind });
    const setup = await startAndWaitAllDecoded(session, { thinkMs: THINK_MS });
    const result = {
      n,
      kind,
      browserVersion,
      allDecodedMs: setup.ms === null ? null : Math.round(setup.ms),
      timedOut: setup.timedOut,
      missing: setup.missing ?? [],
      /** Per page, the longest its main thread took to answer a progress poll while the call set up. */
      slowestAnswerMs: setup.slowestAnswerMs,
      connections: setup.progress.map((page) => page.peerConnections),
      /** ms after t0 at which each stream showed its first frame, `receiver<-sender`. */
      firstFrameMs: Object.fromEntries(setup.progress.flatMap((page, index) => page.remotes.map((remote) =>
        [`${session.ids[index].slice(-3)}<-${remote.id.slice(-3)}`, remote.firstFrameAt === null ? null : Math.round(remote.firstFrameAt - setup.t0)]))),
      errors: setup.progress.flatMap((page, index) => page.errors.map((error) => `${session.ids[index]}: ${error}`)),
    };
    const decodedAt = setup.allDecodedAt ?? performance.timeOrigin + performance.now();

    await sleep(SETTLE_S * 1000);
    const cpuStart = browserCpuTicks(pid);
    const before = await sampleStreams(session);
    await sleep(MEASURE_S * 1000);
    const after = await sampleStreams(session);
    const cpuEnd = browserCpuTicks(pid);
    const rates = streamRates(before, after);
    const fps = rates.map((rate) => rate.decodedFps);
    result.streams = rates.length;
    result.decodingStreams = rates.filter((rate) => rate.decoding).length;
    result.fps = { min: round1(Math.min(...fps)), median: round1(median(fps)), max: round1(Math.max(...fps)) };
    result.shownFps = { min: round1(Math.min(...rates.map((rate) => rate.shownFps))), median: round1(median(rates.map((rate) => rate.shownFps))) };
    result.frameHeightMedian = median(rates.map((rate) => rate.frameHeight).filter(Number.isFinite));
    result.sendLimitations = countBy(Object.values(after).map((stream) => stream.limitation ?? 'unknown'));
    result.cpuPercent = Math.round(cpuPercent(cpuStart, cpuEnd));
    result.perStream = rates.map((rate) => ({ ...rate, decodedFps: round1(rate.decodedFps), shownFps: round1(rate.shownFps) }));

    if (soakSeconds > 0) {
      const remaining = decodedAt + soakSeconds * 1000 - SOAK_CHECK_SECONDS * 1000 - (performance.timeOrigin + performance.now());
      if (remaining > 0) await sleep(remaining);
      const soakBefore = await sampleStreams(session);
      await sleep(SOAK_CHECK_SECONDS * 1000);
      const soakAfter = await sampleStreams(session);
      const soakRates = streamRates(soakBefore, soakAfter);
      const stalled = soakRates.filter((rate) => !rate.decoding).map((rate) => rate.key);
      result.soak = {
        seconds: Math.round((performance.timeOrigin + performance.now() - decodedAt) / 1000),
        streams: soakRates.length,
        decoding: soakRates.length - stalled.length,
        stalled,
        fpsMedian: round1(median(soakRates.map((rate) => rate.decodedFps))),
        fpsMin: round1(Math.min(...soakRates.map((rate) => rate.decodedFps))),
      };
    }
    const final = await Promise.all(session.pages.map((page) =>
      withTimeout(page.evaluate(() => window.meshBench.progress()), 15000, 'final progress').catch(() => ({ errors: ['(page did not answer)'] }))));
    result.errors.push(...final.flatMap((page, index) => page.errors.map((error) => `${session.ids[index]} (end): ${error}`)));
    result.errors = [...new Set(result.errors)];
    if (result.soak?.stalled.length) {
      result.participantsAtEnd = Object.fromEntries(final.map((page, index) => [session.ids[index], page.participants ?? []]));
    }
    if (setup.timedOut) result.pageLogs = formatLogs(session.logs);
    return result;
  } finally {
    await session?.close();
    await closeBrowser();
    cleanups.splice(cleanups.indexOf(closeBrowser), 1);
  }
}

function evaluateTargets(results) {
  const get = (n, kind) => results.find((result) => result.n === n && result.kind === kind);
  const targets = [];
  const soak = get(SOAK_N, 'meshcall');
  if (soak) {
    targets.push({
      name: `N=${SOAK_N}: all ${SOAK_N * (SOAK_N - 1)} streams decoding after ${SOAK_S} s (meshcall)`,
      value: soak.soak ? `${soak.soak.decoding}/${soak.soak.streams} decoding at ${soak.soak.seconds} s` : 'no soak',
      passed: !!soak.soak && soak.soak.streams === SOAK_N * (SOAK_N - 1) && soak.soak.decoding === soak.soak.streams && SOAK_S >= 60,
    });
  }
  const fps = get(FPS_TARGET_N, 'meshcall');
  if (fps) {
    targets.push({
      name: `N=${FPS_TARGET_N}: median received fps ≥ ${FPS_TARGET} (meshcall)`,
      value: `${fps.fps.median} fps (min ${fps.fps.min})`,
      passed: fps.fps.median >= FPS_TARGET,
    });
  }
  const ns = [...new Set(results.map((result) => result.n))];
  if (KINDS.includes('meshcall') && KINDS.includes('peerjs')) {
    const perN = ns.map((n) => {
      const mesh = get(n, 'meshcall');
      const bare = get(n, 'peerjs');
      const passed = mesh.allDecodedMs !== null && (bare.allDecodedMs === null || mesh.allDecodedMs <= bare.allDecodedMs);
      return { n, mesh: mesh.allDecodedMs, bare: bare.allDecodedMs, passed };
    });
    targets.push({
      name: 'time to all-decoded: meshcall ≤ bare PeerJS at every N',
      value: perN.map((each) => `N=${each.n} ${each.mesh ?? '∞'}/${each.bare ?? '∞'} ms${each.passed ? '' : ' MISS'}`).join(', '),
      passed: perN.every((each) => each.passed),
    });
  }
  return targets;
}

function summaryLine(result) {
  const decoded = result.timedOut ? `NOT all decoded (missing ${result.missing.length}: ${result.missing.slice(0, 4).join(', ')}…)` : `all decoded in ${result.allDecodedMs} ms`;
  const soak = result.soak ? `, after ${result.soak.seconds} s ${result.soak.decoding}/${result.soak.streams} decoding` : '';
  const first = Object.values(result.firstFrameMs).filter((ms) => ms !== null);
  return `${decoded} (first frames: median ${Math.round(median(first))}, min ${Math.min(...first)} ms); fps median ${result.fps.median} min ${result.fps.min}; CPU ${result.cpuPercent}%${soak}` +
    `; slowest page answer ${Math.max(...result.slowestAnswerMs)} ms` +
    (result.errors.length ? `; errors: ${result.errors.slice(0, 3).join(' | ')}` : '');
}

function printReport({ environment, results }, targets) {
  console.log(`\nMesh: one page per participant, ${environment.chromium}, ${environment.cpus} CPUs, loopback, host candidates only, fake camera 640x480.`);
  console.log(`Time: from the last accept() (PeerJS: the last page's getUserMedia + peer.call()s; the first page, like meshcall's caller, had its devices on) until every page showed a frame of every other;`);
  console.log(`fps: over ${environment.measureSeconds} s after ${environment.settleSeconds} s of settling, per stream (N×(N−1) of them), inbound-rtp framesDecoded;`);
  console.log('CPU: the browser\'s processes over the same window, % of one core (the machine has ' + `${environment.cpus} cores, shared).\n`);
  const rows = [['N', 'kind', 'all decoded ms', 'PCs/page built', 'open', 'fps min', 'fps median', 'shown median', 'height', 'decoding', 'CPU %', `after ${environment.soakSeconds} s`]];
  for (const result of results) {
    const built = [...new Set(result.connections.map((page) => page.constructed))].join('/');
    const open = [...new Set(result.connections.map((page) => page.open))].join('/');
    rows.push([
      String(result.n),
      result.kind,
      result.timedOut ? 'TIMEOUT' : String(result.allDecodedMs),
      built,
      open,
      result.fps.min.toFixed(1),
      result.fps.median.toFixed(1),
      result.shownFps.median.toFixed(1),
      Number.isFinite(result.frameHeightMedian) ? String(result.frameHeightMedian) : '-',
      `${result.decodingStreams}/${result.streams}`,
      String(result.cpuPercent),
      result.soak ? `${result.soak.decoding}/${result.soak.streams}` : '-',
    ]);
  }
  printTable(rows);
  console.log('  PCs/page built: every RTCPeerConnection the page constructed, those made while loading included ' +
    '(PeerJS probes one at load); open: not closed, once everyone decoded everyone.');
  const limits = results.map((result) => `N=${result.n} ${result.kind}: ${Object.entries(result.sendLimitations).map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  console.log(`  send-side qualityLimitationReason at the end of the window: ${limits.join('; ')}`);
  const withErrors = results.filter((result) => result.errors.length > 0);
  for (const result of withErrors) console.log(`  N=${result.n} ${result.kind} page errors: ${result.errors.slice(0, 6).join(' | ')}`);
  for (const result of results.filter((each) => each.soak?.stalled.length)) {
    console.log(`  N=${result.n} ${result.kind} stalled after soak: ${result.soak.stalled.join(', ')}`);
    for (const [id, participants] of Object.entries(result.participantsAtEnd ?? {})) {
      console.log(`    ${id} sees: ${participants.map((p) => `${p.id} ${p.state}/${p.connection}/${p.signaling} sends [${p.sending.join(' ')}] of ${p.transceivers}`).join('; ')}`);
    }
  }
  for (const result of results.filter((each) => each.timedOut)) console.log(`  N=${result.n} ${result.kind} never decoded: ${result.missing.join(', ')}`);

  console.log('\nTargets:');
  printTable([['target', 'measured', 'verdict'], ...targets.map((target) => [target.name, target.value, target.passed ? 'PASS' : 'MISS  <<<<<<<<<<'])]);
}

function countBy(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function round1(value) {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : 0;
}

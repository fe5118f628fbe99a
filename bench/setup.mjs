#!/usr/bin/env node
// Call setup latency and size benchmark: `npm run bench` (builds first), or
// `node bench/setup.mjs [--runs 15] [--warmup 1] [--think-ms 1000]`.
//
// Measures, on loopback in headless Chromium, the time from "accept" to the first decoded remote
// video frame for meshcall (two CallControllers), bare PeerJS and a bare RTCPeerConnection pair,
// interleaved run by run; the RTCPeerConnections each page of an N-person meshcall call constructs
// (N = 2, 3, 4, one page per participant, see bench/mesh-lib.mjs); and the gzipped sizes of the
// build. Everything is local: a PeerServer and a static server on 127.0.0.1, no ICE servers.
// Prints a table and writes bench/results.json. The N = 2..6 mesh benchmark is bench/mesh.mjs.
// Exits 0 when a target is missed (and says so loudly), 1 only when the benchmark itself failed.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync, constants as zlib } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_FOREGROUND_ARGS, CHROMIUM_PATH } from '../scripts/browsers.mjs';
import {
  formatLogs,
  launchBrowser,
  openParticipants,
  printTable,
  sleep,
  startAndWaitAllDecoded,
  startMeshStaticServer,
  startPeerServer,
  startStaticServer,
  withTimeout,
} from './mesh-lib.mjs';

const require = createRequire(import.meta.url);

const root = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const SIGNAL_PATH = '/signal';
/** meshcall's median accept → first frame at most this fraction of bare PeerJS's. */
const PEERJS_RATIO_TARGET = 0.6;
/** N-person meshcall calls whose RTCPeerConnections per page are counted (N−1 each). */
const CONNECTION_COUNT_NS = [2, 3, 4];
const OWN_CODE_TARGET_BYTES = 20 * 1024;
/** Node-side limit for one run, above the page's own 15 s run timeout plus its cleanup. */
const RUN_LIMIT_MS = 30000;
const SETUP_LIMIT_MS = 30000;

const SCENARIOS = [
  {
    name: 'meshcall',
    label: 'meshcall (CallController ×2)',
    measure: 'callee.accept() → first remote frame at the caller',
    otherSide: 'callee.accept() → first remote frame at the callee',
  },
  {
    name: 'peerjs',
    label: 'bare PeerJS (Peer ×2)',
    measure: 'getUserMedia + peer.call() → first remote frame at the answering side',
    otherSide: 'getUserMedia + peer.call() → first remote frame at the calling side',
  },
  {
    name: 'rtc',
    label: 'bare RTCPeerConnection ×2',
    measure: 'getUserMedia + offer/answer in the page → first remote frame at the answering side',
    otherSide: 'getUserMedia + offer/answer in the page → first remote frame at the offering side',
  },
  {
    name: 'floor',
    label: 'floor: bare pair connected before',
    measure: 'getUserMedia + replaceTrack on a pair connected before → first remote frame at the other side',
    otherSide: 'none (that side\'s media flowed before the accept)',
  },
];

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '1' },
    'think-ms': { type: 'string', default: '1000' },
  },
});
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const THINK_MS = Number(args['think-ms']);
if (![RUNS, WARMUP, THINK_MS].every(Number.isInteger) || RUNS < 1 || WARMUP < 0 || THINK_MS < 0) {
  console.error('usage: node bench/setup.mjs [--runs N (default 15)] [--warmup N (default 1)] [--think-ms MS (default 1000)]');
  process.exit(1);
}

const cleanups = [];

try {
  await main();
  process.exitCode ??= 0;
} catch (error) {
  console.error(`\nbench: FAILED: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) {
    await Promise.race([cleanup().catch(() => undefined), sleep(5000)]);
  }
  // Stray handles (sockets of the PeerServer) must not keep the process alive.
  setTimeout(() => process.exit(process.exitCode), 200).unref();
}

async function main() {
  for (const file of ['dist/meshcall.bundle.js', 'dist/index.js', 'dist/define.js']) {
    if (!existsSync(`${root}${file}`)) throw new Error(`${file} is missing: run \`npm run build\` first (or \`npm run bench\`).`);
  }
  const started = performance.now();

  const sizes = await measureSizes();
  const signal = await startPeerServer(cleanups);
  const web = await startStaticServer(cleanups, { path: '/bench.html', title: 'meshcall bench', script: 'bench/page.mjs' });
  const latency = await measureLatency(signal, web);
  const connections = await measureConnections(signal);

  const results = {
    date: new Date().toISOString(),
    environment: {
      node: process.version,
      chromium: latency.browserVersion,
      cpus: (await import('node:os')).cpus().length,
      runs: RUNS,
      warmupRuns: WARMUP,
      thinkMs: THINK_MS,
    },
    latency: latency.summary,
    ratios: latency.ratios,
    connections,
    sizes,
    targets: {
      [`meshcall/bare-PeerJS median ≤ ${PEERJS_RATIO_TARGET}`]: latency.ratios.peerjs.median <= PEERJS_RATIO_TARGET,
      ...Object.fromEntries(connections.map((count) => [`N=${count.n}: N−1 RTCPeerConnections per page`, count.passed])),
      'own code < 20 KB gzip': sizes.ownCode.minified.gzip < OWN_CODE_TARGET_BYTES,
    },
    runs: latency.runs,
  };
  writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);

  printReport(results);
  console.log(`\nWrote bench/results.json (${((performance.now() - started) / 1000).toFixed(0)} s).`);

  const missed = Object.entries(results.targets).filter(([, passed]) => !passed).map(([name]) => name);
  if (missed.length > 0) {
    console.log(`\n${'!'.repeat(72)}\n!!! TARGET MISSED: ${missed.join('; ')}\n${'!'.repeat(72)}`);
  } else {
    console.log('\nAll targets met.');
  }
}

// ---- latency ----

async function measureLatency(signal, web) {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...CHROMIUM_FOREGROUND_ARGS],
  });
  cleanups.push(() => browser.close());
  const browserVersion = await browser.version();

  const config = { host: HOST, port: signal.port, path: SIGNAL_PATH, thinkMs: THINK_MS };
  const pages = {};
  const logs = {};
  for (const { name } of SCENARIOS) {
    logs[name] = [];
    pages[name] = await openScenarioPage(browser, web.origin, name, config, logs[name]);
  }

  const runs = Object.fromEntries(SCENARIOS.map(({ name }) => [name, []]));
  const failures = Object.fromEntries(SCENARIOS.map(({ name }) => [name, []]));
  const total = WARMUP + RUNS;
  for (let iteration = 0; iteration < total; iteration++) {
    const warmup = iteration < WARMUP;
    // Rotate the order each iteration, so no scenario always runs right after the same other one.
    const order = SCENARIOS.map((_, index) => SCENARIOS[(index + iteration) % SCENARIOS.length]);
    const line = [];
    for (const { name } of order) {
      let result;
      try {
        await pages[name].bringToFront();
        result = await withTimeout(pages[name].evaluate(() => window.bench.run()), RUN_LIMIT_MS, `${name} run`);
      } catch (error) {
        result = { ok: false, error: String(error?.message ?? error) };
      }
      if (result.ok) {
        if (!warmup) runs[name].push({ ms: round(result.ms), otherSideMs: result.otherSideMs === null ? null : round(result.otherSideMs), marks: result.marks });
        line.push(`${name} ${result.ms.toFixed(0)}`);
      } else {
        failures[name].push({ iteration, error: result.error, pageErrors: result.pageErrors ?? [], log: logs[name].splice(0) });
        line.push(`${name} FAILED`);
        console.error(`  ${name}: run failed: ${result.error}${result.pageErrors?.length ? ` (${result.pageErrors.join('; ')})` : ''}`);
        // A page in an unknown state is replaced rather than trusted for the next run.
        await pages[name].close().catch(() => undefined);
        pages[name] = await openScenarioPage(browser, web.origin, name, config, logs[name]);
      }
      logs[name].length = 0;
    }
    console.log(`  ${warmup ? 'warm-up' : `run ${String(iteration - WARMUP + 1).padStart(2)}/${RUNS}`}: ${line.join(' ms, ')}${line.at(-1).endsWith('FAILED') ? '' : ' ms'}`);
  }

  for (const { name } of SCENARIOS) {
    if (runs[name].length < Math.ceil(RUNS / 2)) {
      throw new Error(`${name}: only ${runs[name].length} of ${RUNS} runs succeeded; first failure: ${JSON.stringify(failures[name][0])}`);
    }
  }

  const summary = {};
  for (const scenario of SCENARIOS) {
    const list = runs[scenario.name];
    summary[scenario.name] = {
      label: scenario.label,
      measure: scenario.measure,
      otherSide: scenario.otherSide,
      successfulRuns: list.length,
      failedRuns: failures[scenario.name].length,
      ms: stats(list.map((run) => run.ms)),
      otherSideMs: stats(list.map((run) => run.otherSideMs).filter(Number.isFinite)),
      connectedMs: stats(list.map((run) => connectedAt(run.marks)).filter(Number.isFinite)),
      phasesMedianMs: medianMarks(list.map((run) => run.marks)),
    };
  }
  const ratio = (other) => ({
    median: round3(summary.meshcall.ms.median / summary[other].ms.median),
    p95: round3(summary.meshcall.ms.p95 / summary[other].ms.p95),
    connectedMedian: round3(summary.meshcall.connectedMs.median / summary[other].connectedMs.median),
  });
  return {
    browserVersion,
    summary,
    ratios: { peerjs: ratio('peerjs'), rtc: ratio('rtc'), floor: ratio('floor') },
    runs: Object.fromEntries(SCENARIOS.map(({ name }) => [name, { ok: runs[name], failed: failures[name] }])),
  };
}

async function openScenarioPage(browser, origin, name, config, log) {
  const page = await browser.newPage();
  page.on('console', (message) => log.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => log.push(`pageerror: ${error.message}`));
  await page.goto(`${origin}/bench.html?scenario=${name}`, { waitUntil: 'load', timeout: SETUP_LIMIT_MS });
  try {
    await withTimeout(
      page.evaluate((scenario, options) => window.bench.setup(scenario, options), name, config),
      SETUP_LIMIT_MS,
      `${name} page setup`,
    );
  } catch (error) {
    throw new Error(`${error.message}\n  page log:\n    ${log.join('\n    ')}`);
  }
  return page;
}

// ---- RTCPeerConnections per page, N-person calls ----

async function measureConnections(signal) {
  const cleanupsHere = [];
  const web = await startMeshStaticServer(cleanupsHere);
  const browser = await launchBrowser();
  cleanupsHere.push(() => withTimeout(browser.close(), 15000, 'closing the browser'));
  const counts = [];
  try {
    for (const n of CONNECTION_COUNT_NS) {
      const session = await openParticipants({ browser, origin: web.origin, signal: { host: HOST, port: signal.port, path: SIGNAL_PATH }, n, kind: 'meshcall' });
      try {
        const setup = await startAndWaitAllDecoded(session, { thinkMs: THINK_MS });
        if (setup.timedOut) throw new Error(`N=${n}: not everyone decoded everyone (missing ${setup.missing.join(', ')})\n${formatLogs(session.logs)}`);
        const pcs = setup.progress.map((page) => page.peerConnections);
        const count = {
          n,
          allDecodedMs: Math.round(setup.ms),
          constructed: pcs.map((page) => page.constructed),
          constructedBeforeCall: pcs.map((page) => page.constructedBeforeCall),
          open: pcs.map((page) => page.open),
          connected: pcs.map((page) => page.connected),
        };
        // PeerJS's feature probe (one connection built and closed as its module loads, never used) is
        // not the call's: the target counts what the call constructs.
        count.passed =
          count.constructed.every((value, page) => value - count.constructedBeforeCall[page] === n - 1) &&
          count.open.every((value) => value === n - 1);
        counts.push(count);
        console.log(`  N=${n}: RTCPeerConnections constructed per page ${count.constructed.join(' ')}, open ${count.open.join(' ')}`);
      } finally {
        await session.close();
      }
    }
  } finally {
    for (const cleanup of cleanupsHere.reverse()) await Promise.race([cleanup().catch(() => undefined), sleep(10000)]);
  }
  return counts;
}

async function measureSizes() {
  const file = (path) => sizeOf(readFileSync(`${root}${path}`));
  const external = (id) => /^(lit|lit-html|lit-element|@lit\/reactive-element|peerjs)(\/|$)/.test(id);
  // dist/index.js only re-exports a shared chunk, so "own code" is everything it pulls in from dist/,
  // with lit and peerjs left out: as shipped to bundlers, and minified as in the bundle.
  const ownPlain = await bundle({ input: `${root}dist/index.js`, external });
  const ownMinified = await bundle({ input: `${root}dist/index.js`, external, plugins: [terser({ format: { comments: false } })] });
  const lit = await bundle({
    input: 'virtual:lit',
    plugins: [
      virtualEntry('virtual:lit', "export * from 'lit';\nexport * from 'lit/decorators.js';\n"),
      nodeResolve({ browser: true, exportConditions: ['browser', 'production', 'import', 'default'] }),
      terser({ format: { comments: false } }),
    ],
  });
  return {
    note: 'gzip = node:zlib gzipSync level 9; bytes',
    'dist/index.js': file('dist/index.js'),
    'dist/define.js': file('dist/define.js'),
    'dist/meshcall.bundle.js': file('dist/meshcall.bundle.js'),
    ownCode: {
      note: 'dist/index.js and the chunks it imports, one rollup bundle, lit and peerjs external',
      plain: sizeOf(ownPlain),
      minified: sizeOf(ownMinified),
    },
    lit: { note: "'lit' + 'lit/decorators.js', bundled and minified", ...sizeOf(lit) },
    peerjs: { note: 'node_modules/peerjs/dist/peerjs.min.js', ...sizeOf(readFileSync(require.resolve('peerjs/dist/peerjs.min.js'))) },
  };
}

async function bundle({ input, external, plugins = [] }) {
  const build = await rollup({ input, external, plugins, onwarn: () => undefined });
  try {
    const { output } = await build.generate({ format: 'es', inlineDynamicImports: true });
    return Buffer.from(output[0].code);
  } finally {
    await build.close();
  }
}

function virtualEntry(id, code) {
  return {
    name: 'virtual-entry',
    resolveId: (source) => (source === id ? id : null),
    load: (source) => (source === id ? code : null),
  };
}

function sizeOf(buffer) {
  return { bytes: buffer.length, gzip: gzipSync(buffer, { level: zlib.Z_BEST_COMPRESSION }).length };
}

// ---- report ----

function printReport({ environment, latency, ratios, sizes, connections }) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const verdict = (passed) => (passed ? 'PASS' : 'MISS  <<<<<<<<<<');

  console.log(`\nCall setup latency: ${environment.runs} runs per scenario (+${environment.warmupRuns} warm-up), interleaved; ` +
    `${environment.chromium}, ${environment.cpus} CPUs, loopback, host candidates only`);
  console.log('Each time includes the accepting side\'s getUserMedia (audio+video, meshcall\'s default constraints).');
  console.log(`The answering side got its media (and meshcall's callee the ring) ${environment.thinkMs} ms before the timed accept ` +
    '(--think-ms; 0 = accept at once, slower and noisier for all three).\n');
  const rows = [['', 'median ms', 'p95 ms', 'min', 'max', 'other side median', 'connected median', 'ok/failed']];
  for (const [, s] of Object.entries(latency)) {
    rows.push([
      s.label,
      fixed(s.ms.median),
      fixed(s.ms.p95),
      fixed(s.ms.min),
      fixed(s.ms.max),
      fixed(s.otherSideMs.median),
      fixed(s.connectedMs.median),
      `${s.successfulRuns}/${s.failedRuns}`,
    ]);
  }
  printTable(rows);
  console.log('');
  for (const s of Object.values(latency)) console.log(`  ${s.label}: ${s.measure}; other side: ${s.otherSide}`);
  console.log('  connected: until both ends of the media connection are connected (DTLS done), before any frame;');
  console.log('  "-" for meshcall: the callee pre-connects while it rings, so its connection is up before the accept.');

  console.log(`\nTarget: meshcall median ≤ ${PEERJS_RATIO_TARGET}× bare PeerJS (the RTCPeerConnection ratio is for information)`);
  printTable([
    ['ratio', 'median', 'p95', 'connected median (info)', 'verdict'],
    ...[['peerjs', 'meshcall / bare PeerJS'], ['rtc', 'meshcall / bare RTCPeerConnection'], ['floor', 'meshcall / floor']].map(([name, label]) => [
      label,
      ratios[name].median.toFixed(2),
      ratios[name].p95.toFixed(2),
      Number.isFinite(ratios[name].connectedMedian) ? ratios[name].connectedMedian.toFixed(2) : '- (connected before accept)',
      name === 'peerjs' ? `${verdict(ratios[name].median <= PEERJS_RATIO_TARGET)} (target ≤ ${PEERJS_RATIO_TARGET})` : '(info)',
    ]),
  ]);
  console.log(`  (${environment.runs} runs: the first-frame part is noisy; --runs 40 or more for a steadier ratio.)`);
  const floorShare = latency.floor.ms.median / latency.peerjs.ms.median;
  console.log(`  The floor (connected before, devices opened at the accept) is ${floorShare.toFixed(2)}× bare PeerJS in this run: ` +
    `no design that keeps the callee's devices closed until the accept gets below it.`);

  console.log('\nWhere the time goes (median ms since the start of a run, first occurrence of each step):');
  for (const s of Object.values(latency)) {
    console.log(`  ${s.label}`);
    for (const [step, ms] of Object.entries(s.phasesMedianMs)) console.log(`    ${fixed(ms).padStart(7)}  ${step}`);
  }

  console.log('\nRTCPeerConnections per page in an N-person meshcall call (one page per participant), once everyone decoded everyone:');
  printTable([
    ['N', 'constructed per page', 'of which before the call', 'open per page', 'connected per page', 'all decoded ms', 'target', 'verdict'],
    ...connections.map((count) => [
      String(count.n),
      count.constructed.join(' '),
      count.constructedBeforeCall.join(' '),
      count.open.join(' '),
      count.connected.join(' '),
      count.allDecodedMs === null ? 'TIMEOUT' : String(count.allDecodedMs),
      `${count.n - 1} constructed for the call, ${count.n - 1} open`,
      count.passed ? 'PASS' : 'MISS  <<<<<<<<<<',
    ]),
  ]);
  console.log('  Counted by wrapping window.RTCPeerConnection before any script of the page runs; "before the call":');
  console.log('  constructed while the page loaded and registered (the PeerJS build inside the bundle probes one at load).');

  console.log('\nSizes (gzip -9):');
  printTable([
    ['file', 'bytes', 'gzip'],
    ['dist/index.js (re-exports a chunk)', String(sizes['dist/index.js'].bytes), kb(sizes['dist/index.js'].gzip)],
    ['dist/define.js', String(sizes['dist/define.js'].bytes), kb(sizes['dist/define.js'].gzip)],
    ['dist/meshcall.bundle.js (all inside)', String(sizes['dist/meshcall.bundle.js'].bytes), kb(sizes['dist/meshcall.bundle.js'].gzip)],
    ['own code, as shipped (dist/index.js + chunks)', String(sizes.ownCode.plain.bytes), kb(sizes.ownCode.plain.gzip)],
    ['own code, minified', String(sizes.ownCode.minified.bytes), kb(sizes.ownCode.minified.gzip)],
    ['lit (+ decorators), minified', String(sizes.lit.bytes), kb(sizes.lit.gzip)],
    ['peerjs.min.js', String(sizes.peerjs.bytes), kb(sizes.peerjs.gzip)],
  ]);
  console.log(`\nTarget: own code < 20 KB gzip (minified): ${kb(sizes.ownCode.minified.gzip)} → ${verdict(sizes.ownCode.minified.gzip < OWN_CODE_TARGET_BYTES)}` +
    ` (unminified, as shipped: ${kb(sizes.ownCode.plain.gzip)} → ${sizes.ownCode.plain.gzip < OWN_CODE_TARGET_BYTES ? 'under' : 'over'} 20 KB)`);
}


// ---- numbers ----

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: round(quantile(sorted, 0.5)),
    p95: round(sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]),
    min: round(sorted[0]),
    max: round(sorted.at(-1)),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}

function quantile(sorted, q) {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Median time of each step over the runs that reached it, in order of that median. */
function medianMarks(markList) {
  const byStep = new Map();
  for (const marks of markList) {
    for (const [step, ms] of Object.entries(marks ?? {})) {
      if (!byStep.has(step)) byStep.set(step, []);
      byStep.get(step).push(ms);
    }
  }
  const medians = [...byStep].map(([step, values]) => [step, round(quantile(values.sort((a, b) => a - b), 0.5))]);
  return Object.fromEntries(medians.sort((a, b) => a[1] - b[1]));
}

/** When both ends of the run's media connection were connected. */
function connectedAt(marks) {
  return Math.max(marks?.['offerer: DTLS connected'] ?? NaN, marks?.['answerer: DTLS connected'] ?? NaN);
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}

function round3(value) {
  return Math.round(value * 1000) / 1000;
}

/** A figure for the table; '-' when no run reached it (meshcall's connection is up before the accept). */
function fixed(ms) {
  return Number.isFinite(ms) ? ms.toFixed(0) : '-';
}



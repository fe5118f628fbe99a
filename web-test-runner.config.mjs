// @web/test-runner configuration for meshcall.
// Browsers: Debian's Chromium and Firefox ESR, driven by puppeteer-core (no browser downloads).
// MESHCALL_BROWSERS=chromium (or firefox, or "chromium,firefox") picks browsers; default both.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defaultReporter } from '@web/test-runner';
import { createServer } from 'node:http';
import { build } from 'esbuild';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, FIREFOX_PREFS } from './scripts/browsers.mjs';
import { startTurnServer } from './scripts/turn-server.mjs';

const require = createRequire(import.meta.url);
// peer's ES-module build cannot import `ws` by name from Node: load its CommonJS build.
const { PeerServer } = require('peer');

const SIGNAL_PATH = '/signal';

/**
 * The dev server serves node_modules files as they are. A few browser dependencies are still
 * CommonJS (webrtc-adapter's `sdp`: `module.exports = SDPUtils`), which the browser cannot import.
 * This plugin wraps any CommonJS file under node_modules that has no ES module syntax and no
 * `require()` calls into an ES module whose default export is `module.exports`.
 */
function commonJsDefaultExportPlugin() {
  const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s+[\w{*]|export\s+default\b)/m;
  const CJS_SYNTAX = /\bmodule\.exports\b|\bexports\.[\w$]+\s*=/;
  const REQUIRE_CALL = /(^|[^.\w$])require\s*\(/;
  return {
    name: 'meshcall-commonjs-default-export',
    transform(context) {
      if (!context.path.includes('/node_modules/') || !context.response.is('js')) return;
      const body = context.body;
      if (typeof body !== 'string' || ESM_SYNTAX.test(body) || !CJS_SYNTAX.test(body)) return;
      if (REQUIRE_CALL.test(body)) {
        console.warn(`[meshcall] ${context.path} is CommonJS with require(); not wrapped.`);
        return;
      }
      return {
        body:
          'const __cjs = { exports: {} };\n' +
          `(function (module, exports) {\n${body}\n}).call(__cjs.exports, __cjs, __cjs.exports);\n` +
          'export default __cjs.exports;\n',
      };
    },
  };
}

/**
 * A PeerServer on 127.0.0.1 (port 0: any free one), path /signal, with a short expiry so that calls
 * to offline peers fail fast. Resolves once it listens; `stop()` also cuts its open WebSockets, as a
 * crashed server would.
 */
async function startPeerServer(port = 0) {
  const sockets = new Set();
  const httpServer = await new Promise((resolve, reject) => {
    const app = PeerServer(
      {
        host: '127.0.0.1',
        port,
        path: SIGNAL_PATH,
        expire_timeout: 1500,
        cleanup_out_msgs: 500,
        alive_timeout: 60000,
        allow_discovery: false,
      },
      (server) => resolve(server),
    );
    app.on('error', reject);
  });
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    info: { host: '127.0.0.1', port: httpServer.address().port, path: SIGNAL_PATH },
    async stop() {
      for (const socket of sockets) socket.destroy();
      httpServer.closeAllConnections?.();
      await new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/**
 * meshcall/server (src/server/index.ts, compiled here so that tests need no build first) on an HTTP
 * server of its own, 127.0.0.1, path /signal, admitting a registration when its token is
 * `token-for:<user id>`: tests show a good token, a wrong one, and none.
 */
async function startCheckedPeerServer() {
  const outfile = fileURLToPath(new URL('./dist/wtr/server.mjs', import.meta.url));
  await build({ entryPoints: [fileURLToPath(new URL('./src/server/index.ts', import.meta.url))], outfile, bundle: true, packages: 'external', format: 'esm', platform: 'node', logLevel: 'error' });
  const { signallingServer } = await import(`${outfile}?${Date.now()}`);
  const express = createRequire(require.resolve('peer'))('express');
  const app = express();
  const httpServer = createServer(app);
  app.use(SIGNAL_PATH, signallingServer(httpServer, { path: '/', expire_timeout: 1500, authorize: async (id, token) => token === `token-for:${id}` }));
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    info: { host: '127.0.0.1', port: httpServer.address().port, path: SIGNAL_PATH },
    async stop() {
      httpServer.closeAllConnections?.();
      await new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
}

function checkedPeerServerPlugin() {
  let server;
  return {
    name: 'meshcall-checked-peer-server',
    async serverStart() {
      server = await startCheckedPeerServer();
    },
    async serverStop() {
      await server?.stop();
      server = undefined;
    },
    serve(context) {
      if (context.path === '/__checked-peer-server') {
        return { body: JSON.stringify(server.info), type: 'json', headers: { 'cache-control': 'no-store' } };
      }
    },
  };
}

/**
 * Starts the PeerServer that tests share with the dev server and tells test pages where it is at
 * GET /__peer-server.
 */
function peerServerPlugin() {
  let server;
  return {
    name: 'meshcall-peer-server',
    async serverStart() {
      server = await startPeerServer();
    },
    async serverStop() {
      await server?.stop();
      server = undefined;
    },
    serve(context) {
      if (context.path === '/__peer-server') {
        return { body: JSON.stringify(server.info), type: 'json', headers: { 'cache-control': 'no-store' } };
      }
    },
  };
}

/**
 * Starts a coturn on loopback for the relay tests, with REST-style credentials, and tells test pages
 * its URLs and shared secret at GET /__turn-server: the tests mint their credentials with the
 * library's own `mintTurnCredentials`, as an app's server would.
 */
function turnServerPlugin() {
  let server;
  return {
    name: 'meshcall-turn-server',
    async serverStart() {
      server = await startTurnServer();
    },
    async serverStop() {
      await server?.stop();
      server = undefined;
    },
    serve(context) {
      if (context.path === '/__turn-server') {
        return { body: JSON.stringify({ urls: server.urls, secret: server.secret }), type: 'json', headers: { 'cache-control': 'no-store' } };
      }
    },
  };
}

/**
 * A PeerServer of a test session's own that the test can stop and start again (on the same port),
 * to see what a signalling outage does: commands `start-peer-server` ({ port? } → { host, port,
 * path }) and `stop-peer-server`, through `executeServerCommand` of @web/test-runner-commands.
 */
function disposablePeerServerPlugin() {
  const servers = new Map();
  return {
    name: 'meshcall-disposable-peer-server',
    async executeCommand({ command, payload, session }) {
      if (command === 'start-peer-server') {
        await servers.get(session.id)?.stop();
        const server = await startPeerServer(payload?.port ?? 0);
        servers.set(session.id, server);
        return server.info;
      }
      if (command === 'stop-peer-server') {
        await servers.get(session.id)?.stop();
        servers.delete(session.id);
        return true;
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...servers.values()].map((server) => server.stop()));
      servers.clear();
    },
  };
}

/**
 * What a person does to a test page that a page cannot do to itself: grant it the notification
 * permission (command `grant-notifications`), and put another tab in front of it or take that tab
 * away (`hide-page`, `show-page`), so that the page is really hidden and unfocused.
 */
function pageControlPlugin() {
  const covers = new Map();
  return {
    name: 'meshcall-page-control',
    async executeCommand({ command, session }) {
      if (!['grant-notifications', 'hide-page', 'show-page'].includes(command)) return undefined;
      const page = session.browser.getPage(session.id);
      if (command === 'grant-notifications') {
        await page.browserContext().overridePermissions(new URL(page.url()).origin, ['notifications']);
        return true;
      }
      if (command === 'hide-page') {
        const cover = covers.get(session.id) ?? (await page.browserContext().newPage());
        covers.set(session.id, cover);
        await cover.bringToFront();
        return true;
      }
      await covers.get(session.id)?.close();
      covers.delete(session.id);
      await page.bringToFront();
      return true;
    },
  };
}

/**
 * Prints one plain closing line, `wtr: N passed, N failed, N skipped`, counted over all browsers
 * (a test file that failed to load or errored outside its tests counts as one failure).
 */
function summaryLineReporter() {
  return {
    stop({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      for (const session of sessions) {
        let failedHere = 0;
        const walk = (suite) => {
          if (!suite) return;
          for (const test of suite.tests) {
            if (test.skipped) skipped += 1;
            else if (test.passed) passed += 1;
            else failedHere += 1;
          }
          suite.suites.forEach(walk);
        };
        walk(session.testResults);
        if (!session.passed && failedHere === 0) failedHere = 1;
        failed += failedHere;
      }
      // At exit, so that it comes after the default reporter's last output.
      const line = `wtr: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
      process.once('exit', () => process.stdout.write(line));
    },
  };
}

const chromium = chromeLauncher({
  puppeteer,
  launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
});

const firefox = chromeLauncher({
  puppeteer,
  launchOptions: { browser: 'firefox', executablePath: FIREFOX_PATH, headless: true, extraPrefsFirefox: FIREFOX_PREFS },
});

const available = { chromium, firefox };
const wanted = (process.env.MESHCALL_BROWSERS ?? 'chromium,firefox')
  .split(',')
  .map((name) => name.trim().toLowerCase())
  .filter(Boolean);
for (const name of wanted) {
  if (!(name in available)) {
    throw new Error(`MESHCALL_BROWSERS: unknown browser "${name}" (use chromium, firefox)`);
  }
}
const browsers = wanted.map((name) => available[name]);

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  files: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  browsers,
  concurrency: 1,
  concurrentBrowsers: 2,
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  testsFinishTimeout: 300000,
  testFramework: { config: { timeout: 60000 } },
  reporters: [defaultReporter(), summaryLineReporter()],
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
    commonJsDefaultExportPlugin(),
    peerServerPlugin(),
    turnServerPlugin(),
    checkedPeerServerPlugin(),
    disposablePeerServerPlugin(),
    pageControlPlugin(),
  ],
};

// What the Node-driven browser tests (test/cross-browser/) share: a PeerServer and a static server on
// 127.0.0.1, and closing browsers and servers without hanging. Kept out of test/, where `node --test`
// would run any .mjs file as a test.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** Rejects after `ms` with a message naming the step, so that nothing here can hang. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs a PeerServer (127.0.0.1, random port) in a worker thread and resolves with its port. peer
 * keeps timers running that its server's close() does not stop; terminating the worker ends them,
 * so that this process can exit.
 */
export async function startPeerServer(path) {
  const worker = new Worker(
    `
    const { createRequire } = require('node:module');
    const { parentPort, workerData } = require('node:worker_threads');
    // peer's ES-module build cannot import \`ws\` by name from Node: load its CommonJS build.
    const { PeerServer } = createRequire(workerData.base)('peer');
    const app = PeerServer(
      { host: '127.0.0.1', port: 0, path: workerData.path, expire_timeout: 1500, alive_timeout: 60000, allow_discovery: false },
      (server) => parentPort.postMessage({ port: server.address().port }),
    );
    app.on('error', (error) => parentPort.postMessage({ error: String(error) }));
    `,
    { eval: true, workerData: { base: import.meta.url, path } },
  );
  const message = await within(
    10000,
    'starting the PeerServer',
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
  ).catch(async (error) => {
    await worker.terminate();
    throw error;
  });
  if (message.error) {
    await worker.terminate();
    throw new Error(`the PeerServer did not start: ${message.error}`);
  }
  return { port: message.port, stop: () => worker.terminate() };
}

/** Serves `routes` (path → { file, type }), uncached; nothing else. */
export function startStaticServer(routes) {
  const server = createServer(async (request, response) => {
    const route = routes[new URL(request.url, 'http://127.0.0.1').pathname];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(route.file);
      response.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' }).end(body);
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export function closeServer(server) {
  if (!server) return Promise.resolve();
  server.closeAllConnections?.();
  return within(5000, 'closing a server', new Promise((resolve) => server.close(() => resolve())));
}

/** Closes a browser; kills its process if it does not close in time. */
export async function closeBrowser(browser) {
  if (!browser) return;
  try {
    await within(5000, 'closing the browser', browser.close());
  } catch {
    browser.process()?.kill('SIGKILL');
  }
}

export function uniqueId(prefix) {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

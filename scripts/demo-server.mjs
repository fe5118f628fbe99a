#!/usr/bin/env node
// Local demo server: serves demo/ at /, dist/ at /dist/, /config.json for the demo page, and a
// PeerServer (signalling) at /signal on the same HTTP server. Listens on 127.0.0.1 only.
//   PORT=8080 node scripts/demo-server.mjs
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// peer's ES-module build cannot import `ws` by name from Node: load its CommonJS build.
const { ExpressPeerServer } = require('peer');
// express comes with peer; resolve it from there rather than relying on hoisting.
const express = createRequire(require.resolve('peer'))('express');

const root = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT ?? 8080);
const SIGNAL_PATH = '/signal';

const app = express();
const server = createServer(app);

app.disable('x-powered-by');
app.use(
  SIGNAL_PATH,
  ExpressPeerServer(server, { path: '/', allow_discovery: false, proxied: false }),
);
app.get('/config.json', (req, res) => {
  res.set('cache-control', 'no-store');
  res.json({
    // The name the page was loaded with (localhost or 127.0.0.1), so it matches the page origin.
    server: { host: req.hostname || HOST, port: server.address().port, path: SIGNAL_PATH, secure: false },
    iceServers: [],
  });
});
app.use('/dist', express.static(`${root}dist`, { fallthrough: false }));
app.use('/', express.static(`${root}demo`));
app.use((req, res) => res.status(404).type('text').send(`not found: ${req.path}\n`));

for (const [dir, hint] of [['dist', 'npm run build'], ['demo', 'demo/index.html is not written yet']]) {
  if (!existsSync(`${root}${dir}`)) console.warn(`meshcall demo: ${dir}/ is missing (${hint})`);
}

server.listen(PORT, HOST, () => {
  console.log(`meshcall demo: http://localhost:${server.address().port}/`);
});

const stop = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

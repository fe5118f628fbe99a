#!/usr/bin/env node
// Local demo server: serves demo/ at /, dist/ at /dist/, /config.json for the demo page, POST /login
// (a token for the user the page picked), and meshcall/server's PeerServer (signalling) at /signal on
// the same HTTP server, which registers only users with a token from /login. Listens on 127.0.0.1 only.
//   PORT=8080 node scripts/demo-server.mjs   (after npm run build)
import { createServer } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTurnServer } from './turn-server.mjs';

const require = createRequire(import.meta.url);
// express comes with peer; resolve it from there rather than relying on hoisting.
const express = createRequire(require.resolve('peer'))('express');

const root = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT ?? 8080);
const SIGNAL_PATH = '/signal';

if (!existsSync(`${root}dist/server.js`)) {
  console.error('meshcall demo: dist/server.js is missing (npm run build)');
  process.exit(1);
}
const { mintTurnCredentials, signallingServer } = await import('../dist/server.js');

/**
 * coturn on loopback when Debian's is installed (scripts/install-test-deps.sh installs it): the page
 * asks /turn-credentials for credentials that expire in an hour, minted here with the secret that
 * never leaves this process. Without coturn, calls use host candidates only.
 */
const turn = await startTurnServer().catch((error) => {
  console.warn(`meshcall demo: no TURN server (${error.message.split('\n')[0]}); host candidates only`);
  return null;
});

const app = express();
const server = createServer(app);

/**
 * The demo's stand-in for a host app's sessions: the picker on the page is its whole login, and
 * /login hands the tab a random token for that user, which the signalling server then asks for.
 * Kept in memory, a few per user (one per tab), forgotten when the server stops.
 */
const TOKENS_PER_USER = 8;
const tokensByUser = new Map();
const DEMO_USER = /^[a-z]{1,32}$/;

function issueToken(userId) {
  const token = randomBytes(32).toString('base64url');
  const tokens = tokensByUser.get(userId) ?? [];
  tokens.push(token);
  tokensByUser.set(userId, tokens.slice(-TOKENS_PER_USER));
  return token;
}

function hasToken(userId, token) {
  const given = Buffer.from(token);
  return (tokensByUser.get(userId) ?? []).some((known) => {
    const expected = Buffer.from(known);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

app.disable('x-powered-by');
app.use(
  SIGNAL_PATH,
  signallingServer(server, { path: '/', proxied: false, authorize: (userId, token) => hasToken(userId, token) }),
);
app.post('/login', express.json({ limit: '1kb' }), (req, res) => {
  const user = req.body?.user;
  res.set('cache-control', 'no-store');
  if (typeof user !== 'string' || !DEMO_USER.test(user)) {
    res.status(400).json({ error: 'user must be a demo user id' });
    return;
  }
  res.json({ token: issueToken(user) });
});
app.post('/turn-credentials', express.json({ limit: '1kb' }), async (req, res) => {
  res.set('cache-control', 'no-store');
  const { user, token } = req.body ?? {};
  if (!turn || typeof user !== 'string' || typeof token !== 'string' || !hasToken(user, token)) {
    res.status(turn ? 403 : 404).json({ error: turn ? 'log in first' : 'no TURN server' });
    return;
  }
  res.json(await mintTurnCredentials({ secret: turn.secret, urls: turn.urls, ttlSeconds: 3600, label: user }));
});
app.get('/config.json', (req, res) => {
  res.set('cache-control', 'no-store');
  res.json({
    // The name the page was loaded with (localhost or 127.0.0.1), so it matches the page origin.
    server: { host: req.hostname || HOST, port: server.address().port, path: SIGNAL_PATH, secure: false },
    iceServers: [],
    turn: !!turn,
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
  void turn?.stop();
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

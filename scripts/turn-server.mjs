// Starts Debian's coturn on loopback for the tests and the demo, with time-limited REST-style
// credentials (`use-auth-secret`): nobody gets a long-lived TURN password, the page asks for
// credentials that expire. Never listens beyond 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { freePort } from './demo-process.mjs';

export const TURN_SERVER_PATH = process.env.MESHCALL_TURNSERVER ?? '/usr/bin/turnserver';

/**
 * Resolves once coturn listens. `secret` signs the credentials (see src/server/turn-credentials.ts);
 * `stop()` ends the process. Rejects when coturn is not installed (scripts/install-test-deps.sh).
 */
export async function startTurnServer({ secret = randomBytes(24).toString('hex') } = {}) {
  if (!existsSync(TURN_SERVER_PATH)) {
    throw new Error(`${TURN_SERVER_PATH} is missing: run scripts/install-test-deps.sh (Debian's coturn)`);
  }
  const port = await freePort();
  const child = spawn(
    TURN_SERVER_PATH,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=meshcall.test',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start:\n${output.join('')}`)), 10000);
    const onData = (chunk) => {
      output.push(String(chunk));
      if (/listener opened on|Total General servers/i.test(output.join(''))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${code}:\n${output.join('')}`));
    });
  });
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  return {
    urls: [`turn:127.0.0.1:${port}?transport=udp`],
    secret,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

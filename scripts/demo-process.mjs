// Starting local servers for the scripts that drive the demo (screenshots) and for the tests' coturn.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const DEMO_SERVER = fileURLToPath(new URL('./demo-server.mjs', import.meta.url));

/** A port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts scripts/demo-server.mjs on `port`; resolves with its process once it listens. */
export function startDemoServer(port) {
  const server = spawn(process.execPath, [DEMO_SERVER], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`demo server did not start:\n${output}`)), 15000);
    server.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('meshcall demo: http')) {
        clearTimeout(timer);
        resolve(server);
      }
    });
    server.stderr.on('data', (chunk) => (output += chunk));
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with ${code}:\n${output}`));
    });
  });
}

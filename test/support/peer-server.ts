/**
 * Where the test run's local PeerServer listens. web-test-runner.config.mjs starts it on
 * 127.0.0.1 (random port, path /signal) and answers GET /__peer-server with this JSON.
 */
export interface PeerServerInfo {
  host: string;
  port: number;
  path: string;
}

let cached: Promise<PeerServerInfo> | undefined;

export async function peerServer(): Promise<PeerServerInfo> {
  cached ??= (async () => {
    const response = await fetch('/__peer-server', { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(`/__peer-server answered ${response.status}; is the wtr config's plugin loaded?`);
    }
    return (await response.json()) as PeerServerInfo;
  })();
  try {
    return await cached;
  } catch (error) {
    cached = undefined;
    throw error;
  }
}

/**
 * Options for `new Peer(id, options)` that point at the local PeerServer and use no ICE servers,
 * so that nothing ever contacts a public server.
 */
export async function localPeerOptions() {
  const { host, port, path } = await peerServer();
  return {
    host,
    port,
    path,
    secure: false,
    debug: 0 as const,
    config: { iceServers: [] as RTCIceServer[] },
  };
}

/** A random, valid PeerJS id with an optional readable prefix. */
export function randomPeerId(prefix = 'meshcall-test'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

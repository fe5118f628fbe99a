import { expect, waitUntil } from '@open-wc/testing';
import type { CallController, IceServerProvider } from '../src/controller/index.js';
import { mintTurnCredentials } from '../src/server/turn-credentials.js';
import { waitForDecodedFrames } from './support/media.js';
import { connectParty, disconnectAll, establishCall, idOf, remoteStream } from './support/parties.js';

/** The test run's coturn (web-test-runner.config.mjs): its URLs and the secret an app's server would keep. */
async function turnServer(): Promise<{ urls: string[]; secret: string }> {
  const response = await fetch('/__turn-server', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/__turn-server answered ${response.status}`);
  return response.json();
}

/** Credentials minted as an app's server would mint them, counted as they are asked for. */
function provider(ttlSeconds: number): { provide: IceServerProvider; asked: () => number } {
  let asked = 0;
  return {
    provide: async () => {
      asked += 1;
      const { urls, secret } = await turnServer();
      return mintTurnCredentials({ secret, urls, ttlSeconds, label: 'test' });
    },
    asked: () => asked,
  };
}

/** The type of the local candidate of the pair the connection uses now. */
async function selectedLocalCandidateType(connection: RTCPeerConnection): Promise<string | null> {
  const stats = await connection.getStats();
  let pairId: string | undefined;
  stats.forEach((report) => {
    if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
  });
  let pair: RTCIceCandidatePairStats | undefined;
  stats.forEach((report) => {
    if (report.type !== 'candidate-pair') return;
    const candidate = report as RTCIceCandidatePairStats & { selected?: boolean };
    if (report.id === pairId || (!pairId && (candidate.selected || (candidate.nominated && candidate.state === 'succeeded')))) pair = candidate;
  });
  if (!pair) return null;
  return (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? null;
}

async function expectRelayed(viewer: CallController, sender: CallController): Promise<void> {
  const connection = viewer.connectionOf(idOf(sender))!;
  let type: string | null = null;
  await waitUntil(async () => (type = await selectedLocalCandidateType(connection)) === 'relay', `selected candidate is ${type}, not relay`, {
    timeout: 10000,
    interval: 250,
  });
  await waitForDecodedFrames(await remoteStream(viewer, sender));
}

describe('TURN, through a local coturn', () => {
  afterEach(disconnectAll);

  it('carries a call relayed only, with credentials minted per page that expire', async () => {
    const turn = provider(3600);
    const alice = await connectParty('alice', { iceServers: turn.provide, iceTransportPolicy: 'relay' });
    const bob = await connectParty('bob', { iceServers: turn.provide, iceTransportPolicy: 'relay' });
    expect(turn.asked(), 'asked once per connect').to.equal(2);
    await establishCall(alice, [bob]);
    await expectRelayed(alice, bob);
    await expectRelayed(bob, alice);
  });

  it('renews credentials before they expire: a call in progress holds them, a call started after the first ones expired connects', async () => {
    // Three-second credentials: asked again after about 2.4 s, and again, while the call goes on.
    const turn = provider(3);
    const alice = await connectParty('alice', { iceServers: turn.provide, iceTransportPolicy: 'relay' });
    const bob = await connectParty('bob', { iceServers: turn.provide, iceTransportPolicy: 'relay' });
    await establishCall(alice, [bob]);
    await expectRelayed(alice, bob);
    const [impolite, polite] = idOf(alice) < idOf(bob) ? [alice, bob] : [bob, alice];
    const connection = impolite.connectionOf(idOf(polite))!;
    const username = () => connection.getConfiguration().iceServers?.[0]?.username;
    const usernameAtStart = username();
    const askedAtStart = turn.asked();
    await waitUntil(() => turn.asked() >= askedAtStart + 4, 'credentials were not renewed', { timeout: 12000 });
    expect(username(), 'the connection holds the renewed credentials').to.not.equal(usernameAtStart);
    // The credentials of connect() expired long ago (coturn refuses those): a new call needs the renewed ones.
    await alice.hangUp();
    await waitUntil(() => bob.state === 'idle', 'bob did not see the hang-up');
    await establishCall(alice, [bob]);
    await expectRelayed(alice, bob);
    await expectRelayed(bob, alice);
  });

  it('refuses to connect, as ice-servers-unavailable, when the provider fails', async () => {
    const failing: IceServerProvider = () => Promise.reject(new Error('credentials service down'));
    let error: unknown;
    try {
      await connectParty('alice', { iceServers: failing });
    } catch (caught) {
      error = caught;
    }
    expect((error as { type?: string })?.type).to.equal('ice-servers-unavailable');
  });
});

describe('mintTurnCredentials', () => {
  it('signs "expiry:label" with HMAC-SHA1 of the secret, as coturn checks it', async () => {
    const minted = await mintTurnCredentials({ secret: 's3cret', urls: 'turn:example.test', ttlSeconds: 3600, label: 'meshcall', now: (1700000000 - 3600) * 1000 });
    // node -e "require('crypto').createHmac('sha1','s3cret').update('1700000000:meshcall').digest('base64')"
    expect(minted.iceServers).to.deep.equal([{ urls: 'turn:example.test', username: '1700000000:meshcall', credential: 'CvWF6D70QsdIoPFQL6uV/o5iUM0=' }]);
    expect(minted.expiresAt).to.equal(1700000000 * 1000);
  });
});

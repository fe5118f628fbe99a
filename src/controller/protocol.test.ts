import { expect } from '@open-wc/testing';
import { isCallSecret, newCallSecret, sameSecret } from './call/invitation.js';
import { CONTROL_RATE_LIMIT, PEER_RATE_LIMIT, RateLimiter, RelayLimiter, TokenBucket } from './rate-limit.js';
import { MAX_MESSAGE_BYTES, parseControlMessage, parseMessageText, parsePeerMessage, toWire, type ControlMessage, type SignalMessage } from './protocol.js';

const media = { microphone: true, camera: false };
const secret = newCallSecret();
const roster = [
  { id: 'alice', name: 'Alice', state: 'joined' as const, epoch: 1 },
  { id: 'bob', name: 'Bob', state: 'ringing' as const, epoch: 2, timeout: 30000 },
];

describe('control protocol', () => {
  const valid: ControlMessage[] = [
    { type: 'ring', callId: 'c1', conversationId: 'team', video: true, from: { id: 'alice', name: 'Alice' }, media, roster, timeout: 30000, secret },
    {
      type: 'ring',
      callId: 'c1',
      conversationId: 'team',
      video: false,
      from: { id: 'alice', name: 'Alice' },
      media,
      roster,
      timeout: 30000,
      conversationTitle: 'Design team',
      secret,
    },
    { type: 'accept', callId: 'c1', user: { id: 'bob', name: 'Bob' }, media },
    { type: 'join', callId: 'c1', user: { id: 'carol', name: 'Carol' }, media, epoch: 1, secret },
    { type: 'decline', callId: 'c1', busy: true },
    { type: 'cancel', callId: 'c1' },
    { type: 'roster', callId: 'c1', roster },
    { type: 'media', callId: 'c1', media },
    { type: 'quality', callId: 'c1', uplink: 'poor', videoPaused: true },
    { type: 'media', callId: 'c1', media: { microphone: true, camera: true, screen: 3 } },
    { type: 'hangup', callId: 'c1' },
    { type: 'away', callId: 'c1', grace: 20000 },
    { type: 'screen-track', callId: 'c1', mid: '2' },
    { type: 'screen-track', callId: 'c1', mid: null },
  ];

  it('rejects a quality message with an unknown level or no pause flag', () => {
    for (const bad of [
      { type: 'quality', callId: 'c1', uplink: 'great', videoPaused: false },
      { type: 'quality', callId: 'c1', uplink: 'good' },
      { type: 'quality', callId: 'c1', uplink: 'good', videoPaused: 'yes' },
    ]) {
      expect(parseControlMessage(toWire(bad as unknown as ControlMessage)), JSON.stringify(bad)).to.equal(null);
    }
  });

  for (const message of valid) {
    it(`round-trips ${message.type}`, () => {
      expect(parseControlMessage(JSON.parse(JSON.stringify(toWire(message))))).to.deep.equal(message);
    });
  }

  it('rejects what is not a message of this version', () => {
    const rejected: unknown[] = [
      null,
      'hangup',
      [],
      { type: 'hangup', callId: 'c1' },
      { v: 2, type: 'hangup', callId: 'c1' },
      { v: 1, type: 'hangup' },
      { v: 1, type: 'hangup', callId: '' },
      { v: 1, type: 'hangup', callId: 'x'.repeat(129) },
      { v: 1, type: 'explode', callId: 'c1' },
      { v: 1, type: 'decline', callId: 'c1' },
      { v: 1, type: 'media', callId: 'c1', media: { microphone: 'yes', camera: false } },
      { v: 1, type: 'media', callId: 'c1', media: { microphone: true, camera: false, screen: 0 } },
      { v: 1, type: 'media', callId: 'c1', media: { microphone: true, camera: false, screen: true } },
      { v: 1, type: 'away', callId: 'c1' },
      { v: 1, type: 'away', callId: 'c1', grace: 999 },
      { v: 1, type: 'away', callId: 'c1', grace: 60001 },
      { v: 1, type: 'away', callId: 'c1', grace: 1500.5 },
      { v: 1, type: 'screen-track', callId: 'c1' },
      { v: 1, type: 'screen-track', callId: 'c1', mid: 2 },
      { v: 1, type: 'screen-track', callId: 'c1', mid: '' },
      { v: 1, type: 'screen-track', callId: 'c1', mid: 'a b' },
      { v: 1, type: 'screen-track', callId: 'c1', mid: '1'.repeat(33) },
      { v: 1, type: 'roster', callId: 'c1', roster: 'everyone' },
      { v: 1, type: 'roster', callId: 'c1', roster: [{ id: 'a', state: 'dancing', epoch: 1 }] },
      { v: 1, type: 'roster', callId: 'c1', roster: [{ id: 'a', state: 'joined' }] },
      { v: 1, type: 'roster', callId: 'c1', roster: [{ id: 'a', state: 'joined', epoch: 0 }] },
      { v: 1, type: 'roster', callId: 'c1', roster: [{ id: 'a', state: 'ringing', epoch: 1, timeout: 'long' }] },
      { v: 1, type: 'join', callId: 'c1', user: { id: 'carol' }, media },
      { v: 1, type: 'roster', callId: 'c1', roster: Array.from({ length: 33 }, (_, i) => ({ id: `u${i}`, state: 'joined', epoch: 1 })) },
      { v: 1, type: 'ring', callId: 'c1', conversationId: 'team', video: true, from: { id: 'alice' }, roster },
      { v: 1, type: 'ring', callId: 'c1', conversationId: 'team', video: true, from: { id: 'alice' }, media, roster, timeout: 5, secret },
      // No invitation, or one that is not a 128-bit secret.
      { v: 1, type: 'ring', callId: 'c1', conversationId: 'team', video: true, from: { id: 'alice' }, media, roster, timeout: 30000 },
      { v: 1, type: 'ring', callId: 'c1', conversationId: 'team', video: true, from: { id: 'a' }, media, roster, timeout: 30000, secret: 'short' },
      { v: 1, type: 'join', callId: 'c1', user: { id: 'carol' }, media, epoch: 1 },
      { v: 1, type: 'join', callId: 'c1', user: { id: 'carol' }, media, epoch: 1, secret: `${secret.slice(1)}!` },
    ];
    for (const data of rejected) expect(parseControlMessage(data), JSON.stringify(data)).to.equal(null);
  });

  it('takes a conversation title as one line of text, and refuses one that is too long or not text', () => {
    const ring = { v: 1, type: 'ring', callId: 'c1', conversationId: 'team', video: true, from: { id: 'alice' }, media, roster, timeout: 30000, secret };
    const titleOf = (conversationTitle: unknown) => {
      const parsed = parseControlMessage({ ...ring, conversationTitle });
      return parsed && parsed.type === 'ring' ? parsed.conversationTitle : null;
    };
    expect(titleOf('  Design\n\tteam \u202ereview\u202c ')).to.equal('Design team review');
    expect(titleOf('<b>Team</b>'), 'markup is text').to.equal('<b>Team</b>');
    expect(titleOf(' \n '), 'a blank title is none').to.equal(undefined);
    expect(titleOf('x'.repeat(120))).to.have.length(120);
    for (const bad of ['x'.repeat(121), 42, { text: 'Team' }, null]) {
      expect(parseControlMessage({ ...ring, conversationTitle: bad }), JSON.stringify(bad)).to.equal(null);
    }
  });

  it('names a user by their id when the name is missing', () => {
    const parsed = parseControlMessage({ v: 1, type: 'accept', callId: 'c1', user: { id: 'bob' }, media });
    expect(parsed).to.deep.equal({ type: 'accept', callId: 'c1', user: { id: 'bob', name: 'bob' }, media });
  });

  it('carries signals: descriptions and candidates of a named connection', () => {
    const signals: SignalMessage[] = [
      { type: 'signal', callId: 'c1', from: 'a1', to: null, description: { type: 'offer', sdp: 'v=0\r\n' } },
      { type: 'signal', callId: 'c1', from: 'b1', to: 'a1', description: { type: 'answer', sdp: 'v=0\r\n' } },
      {
        type: 'signal',
        callId: 'c1',
        from: 'a1',
        to: 'b1',
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' },
      },
    ];
    for (const signal of signals) expect(parseMessageText(JSON.stringify(toWire(signal)))).to.deep.equal(signal);
  });

  it('refuses malformed signals, and text too large to parse', () => {
    const rejected = [
      { v: 1, type: 'signal', callId: 'c1', from: 'a1', to: null },
      { v: 1, type: 'signal', callId: 'c1', from: 'a1', to: null, description: { type: 'rollback', sdp: '' } },
      { v: 1, type: 'signal', callId: 'c1', from: 'a1', to: null, description: { type: 'offer', sdp: 42 } },
      { v: 1, type: 'signal', callId: 'c1', from: 'a1', to: 7, description: { type: 'offer', sdp: '' } },
      { v: 1, type: 'signal', callId: 'c1', from: 'a1', to: null, candidate: { candidate: 'x', sdpMLineIndex: -1 } },
      { v: 1, type: 'signal', callId: 'c1', from: 'a1', to: null, candidate: { candidate: 'x'.repeat(2000) } },
    ];
    for (const data of rejected) expect(parsePeerMessage(data), JSON.stringify(data)).to.equal(null);
    const huge = JSON.stringify({ v: 1, type: 'hangup', callId: 'c1', padding: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(parseMessageText(huge)).to.equal(null);
    expect(parseMessageText('{not json')).to.equal(null);
  });
});

describe('invitation secrets', () => {
  it('draws 128 random bits each time, compared whole', () => {
    const secrets = new Set(Array.from({ length: 100 }, newCallSecret));
    expect(secrets.size).to.equal(100);
    for (const drawn of secrets) expect(isCallSecret(drawn), drawn).to.equal(true);
    const [a, b] = [...secrets];
    expect(sameSecret(a, a)).to.equal(true);
    expect(sameSecret(a, b)).to.equal(false);
    expect(sameSecret(a, a.slice(0, 21))).to.equal(false);
  });
});

describe('rate limits', () => {
  it('lets a burst through, then a steady trickle', async () => {
    const bucket = new TokenBucket({ burst: 10, perSecond: 100 });
    let passed = 0;
    for (let i = 0; i < 100; i += 1) if (bucket.take()) passed += 1;
    expect(passed, 'the burst').to.be.within(10, 11);
    await new Promise((resolve) => setTimeout(resolve, 100));
    passed = 0;
    for (let i = 0; i < 100; i += 1) if (bucket.take()) passed += 1;
    expect(passed, 'refilled at 100/s for 0.1 s').to.be.within(8, 11);
  });

  it('keeps what a sender relays for the call apart from its connection signals', () => {
    const limiter = new RelayLimiter();
    const signal = { v: 1, type: 'signal', callId: 'c', from: 'x', to: null, candidate: { candidate: '' } };
    let signals = 0;
    for (let i = 0; i < 1000; i += 1) if (limiter.take('alice', signal)) signals += 1;
    expect(signals, 'a flood of signals is cut').to.be.within(PEER_RATE_LIMIT.burst, PEER_RATE_LIMIT.burst + 5);
    // Its accept still passes: the signals used up their own allowance, not the call's.
    expect(limiter.take('alice', { v: 1, type: 'accept', callId: 'c' }), 'the accept after the flood').to.equal(true);
    let control = 1;
    for (let i = 0; i < 1000; i += 1) if (limiter.take('alice', { v: 1, type: 'roster', callId: 'c' })) control += 1;
    expect(control, 'a flood of control messages is cut too').to.be.within(CONTROL_RATE_LIMIT.burst, CONTROL_RATE_LIMIT.burst + 5);
  });

  it('limits each sender on its own and remembers a bounded number of them', () => {
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, 16);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).to.deep.equal([true, true, false]);
    expect(limiter.take('b'), 'another sender').to.equal(true);
    for (let i = 0; i < 10000; i += 1) limiter.take(`made-up-${i}`);
    expect(limiter.size).to.be.at.most(16);
  });
});

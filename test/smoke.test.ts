// End-to-end smoke test: two PeerJS peers in one page call each other through the local
// PeerServer with fake media, and each side decodes the other's video and hears its audio.
import { expect } from '@open-wc/testing';
import { Peer, type MediaConnection } from 'peerjs';
import { localPeerOptions, randomPeerId } from './support/peer-server.js';
import { getFakeMedia, stopStreams, waitForAudio, waitForDecodedFrames } from './support/media.js';

function openPeer(peer: Peer): Promise<string> {
  return new Promise((resolve, reject) => {
    peer.once('open', resolve);
    peer.once('error', reject);
  });
}

function remoteStream(call: MediaConnection): Promise<MediaStream> {
  return new Promise((resolve, reject) => {
    call.once('stream', resolve);
    call.once('error', reject);
  });
}

describe('smoke: PeerJS call through the local PeerServer', () => {
  const peers: Peer[] = [];
  const streams: MediaStream[] = [];

  afterEach(() => {
    stopStreams(...streams.splice(0));
    for (const peer of peers.splice(0)) peer.destroy();
  });

  it('decodes video and hears audio on both sides', async () => {
    const options = await localPeerOptions();
    expect(options.config.iceServers).to.deep.equal([]);

    const alice = new Peer(randomPeerId('alice'), options);
    const bob = new Peer(randomPeerId('bob'), options);
    peers.push(alice, bob);
    const [aliceId, bobId] = await Promise.all([openPeer(alice), openPeer(bob)]);
    expect(aliceId).to.equal(alice.id);

    const aliceMedia = await getFakeMedia();
    const bobMedia = await getFakeMedia();
    streams.push(aliceMedia, bobMedia);
    expect(aliceMedia.getVideoTracks()).to.have.length(1);
    expect(aliceMedia.getAudioTracks()).to.have.length(1);

    const incoming = new Promise<MediaConnection>((resolve) => bob.once('call', resolve));
    const outgoing = alice.call(bobId, aliceMedia);
    const answered = await incoming;
    expect(answered.peer).to.equal(aliceId);
    answered.answer(bobMedia);

    const [atAlice, atBob] = await Promise.all([remoteStream(outgoing), remoteStream(answered)]);
    streams.push(atAlice, atBob);

    const [bobSees, aliceSees] = await Promise.all([
      waitForDecodedFrames(atBob, { minFrames: 5, timeout: 15000 }),
      waitForDecodedFrames(atAlice, { minFrames: 5, timeout: 15000 }),
    ]);
    expect(bobSees.frames).to.be.at.least(5);
    expect(bobSees.width).to.be.greaterThan(0);
    expect(aliceSees.frames).to.be.at.least(5);

    const [bobHears, aliceHears] = await Promise.all([
      waitForAudio(atBob, { timeout: 15000 }),
      waitForAudio(atAlice, { timeout: 15000 }),
    ]);
    expect(bobHears.rms).to.be.greaterThan(0.01);
    expect(aliceHears.rms).to.be.greaterThan(0.01);

    outgoing.close();
    answered.close();
  });
});

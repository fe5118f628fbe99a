import { expect, waitUntil } from '@open-wc/testing';
import { getFakeMedia, stopStreams, waitForAudio, waitForDecodedFrames } from '../../../test/support/media.js';
import { parsePeerMessage, type SignalMessage } from '../protocol.js';
import { PeerLink } from './peer-link.js';

/**
 * Two links of one pair in one page, their signals carried by a fake server that holds each one a
 * few milliseconds: long enough for offers made at the same time to cross.
 */
function linkedPair(): { polite: PeerLink; impolite: PeerLink; streams: Map<PeerLink, MediaStream>; close(): void } {
  const streams = new Map<PeerLink, MediaStream>();
  const links: PeerLink[] = [];
  const make = (userId: string, polite: boolean, other: () => PeerLink) => {
    const link: PeerLink = new PeerLink({
      userId,
      callId: 'call',
      polite,
      rtcConfig: { iceServers: [] },
      handlers: {
        relay: (message) => {
          setTimeout(() => other().handleSignal(parsePeerMessage(message) as SignalMessage), 20);
          return true;
        },
        onMessage: () => undefined,
        onMalformed: () => undefined,
        onRemoteStream: (stream) => streams.set(link, stream),
        onConnectionState: () => undefined,
        onChannelClosed: () => undefined,
        onNegotiationError: (error) => {
          throw error;
        },
      },
    });
    links.push(link);
    return link;
  };
  const polite: PeerLink = make('zed', true, () => impolite);
  const impolite: PeerLink = make('amy', false, () => polite);
  return { polite, impolite, streams, close: () => links.forEach((link) => link.close()) };
}

/** Transceivers that were negotiated to carry media both ways. */
function sendingBothWays(link: PeerLink): RTCRtpTransceiver[] {
  return link.peerConnection.getTransceivers().filter((transceiver) => transceiver.currentDirection === 'sendrecv');
}

describe('PeerLink', () => {
  let media: MediaStream[] = [];
  let close = () => undefined as void;

  afterEach(() => {
    close();
    stopStreams(...media);
    media = [];
  });

  it('carries media both ways when both sides make the first offer at once', async () => {
    const pair = linkedPair();
    close = pair.close;
    media = [await getFakeMedia(), await getFakeMedia()];
    const [politeMedia, impoliteMedia] = media;
    pair.polite.setLocalTracks(politeMedia.getAudioTracks()[0], politeMedia.getVideoTracks()[0]);
    pair.impolite.setLocalTracks(impoliteMedia.getAudioTracks()[0], impoliteMedia.getVideoTracks()[0]);
    pair.polite.connect();
    pair.impolite.connect();

    for (const link of [pair.polite, pair.impolite]) {
      await waitUntil(() => link.connectionState === 'connected', `${link.userId} did not connect`, { timeout: 10000 });
    }
    for (const link of [pair.polite, pair.impolite]) {
      await waitUntil(() => pair.streams.get(link)?.getVideoTracks().length, `${link.userId} got no video track`);
      await waitForDecodedFrames(pair.streams.get(link)!);
      await waitForAudio(pair.streams.get(link)!);
      expect(sendingBothWays(link).length, `${link.userId}: one audio and one video transceiver`).to.equal(2);
    }

    // The next negotiation (an ICE restart) must not bring back the offer that lost the collision.
    const ufrag = (link: PeerLink) => /a=ice-ufrag:(\S+)/.exec(link.peerConnection.localDescription!.sdp)![1];
    const before = [ufrag(pair.polite), ufrag(pair.impolite)];
    pair.impolite.restartIce();
    await waitUntil(
      () => ufrag(pair.polite) !== before[0] && ufrag(pair.impolite) !== before[1] && pair.polite.peerConnection.signalingState === 'stable',
      'the ICE restart was not negotiated',
    );
    await waitUntil(() => pair.polite.connectionState === 'connected' && pair.impolite.connectionState === 'connected', 'not connected again');
    for (const link of [pair.polite, pair.impolite]) {
      expect(sendingBothWays(link).length, `${link.userId}: still one of each`).to.equal(2);
      await waitForDecodedFrames(pair.streams.get(link)!);
    }
  });
});

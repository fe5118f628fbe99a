import { expect, waitUntil } from '@open-wc/testing';
import { getFakeMedia, stopStreams, waitForAudio, waitForDecodedFrames } from '../../../test/support/media.js';
import { canvasScreen } from '../../../test/support/screen.js';
import { parsePeerMessage, type SignalMessage } from '../protocol.js';
import { PeerLink } from './peer-link.js';

/**
 * Two links of one pair in one page, their signals carried by a fake server that holds each one a
 * few milliseconds: long enough for offers made at the same time to cross.
 */
function linkedPair(): {
  polite: PeerLink;
  impolite: PeerLink;
  streams: Map<PeerLink, MediaStream>;
  screens: Map<PeerLink, MediaStream | null>;
  close(): void;
} {
  const streams = new Map<PeerLink, MediaStream>();
  const screens = new Map<PeerLink, MediaStream | null>();
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
        onRemoteScreen: (stream) => screens.set(link, stream),
        onConnectionState: () => undefined,
        onChannelOpen: () => undefined,
        onChannelClosed: () => undefined,
        onReplaced: () => undefined,
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
  return { polite, impolite, streams, screens, close: () => links.forEach((link) => link.close()) };
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
      expect(sendingBothWays(link).length, `${link.userId}: one transceiver each for the microphone, the camera and a screen`).to.equal(3);
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
      expect(sendingBothWays(link).length, `${link.userId}: still one of each`).to.equal(3);
      await waitForDecodedFrames(pair.streams.get(link)!);
    }
  });

  it('shares a screen from each side at once, with no renegotiation, each far side telling it from the camera', async () => {
    const pair = linkedPair();
    close = pair.close;
    media = [await getFakeMedia(), await getFakeMedia()];
    const [politeMedia, impoliteMedia] = media;
    pair.polite.setLocalTracks(politeMedia.getAudioTracks()[0], politeMedia.getVideoTracks()[0]);
    pair.impolite.setLocalTracks(impoliteMedia.getAudioTracks()[0], impoliteMedia.getVideoTracks()[0]);
    pair.impolite.connect();
    for (const link of [pair.polite, pair.impolite]) {
      await waitUntil(() => link.connectionState === 'connected' && link.channelOpen, `${link.userId} did not connect`, { timeout: 10000 });
      await waitUntil(() => pair.streams.get(link)?.getVideoTracks().length, `${link.userId} got no camera`);
    }
    const [politeCamera, impoliteCamera] = [pair.streams.get(pair.polite)!, pair.streams.get(pair.impolite)!];
    const descriptions = [pair.polite, pair.impolite].map((link) => link.peerConnection.currentLocalDescription!.sdp);
    for (const link of [pair.polite, pair.impolite]) await waitForDecodedFrames(pair.streams.get(link)!);

    const politeScreen = canvasScreen('polite');
    const impoliteScreen = canvasScreen('impolite');
    media.push(politeScreen, impoliteScreen);
    for (const link of [pair.polite, pair.impolite]) link.setScreenEncoding({ maxBitrate: 2_500_000, maxFramerate: 15 });
    // Same task: neither has heard of the other's share.
    pair.polite.setScreenTrack(politeScreen.getVideoTracks()[0]);
    pair.impolite.setScreenTrack(impoliteScreen.getVideoTracks()[0]);

    for (const link of [pair.polite, pair.impolite]) {
      await waitUntil(() => pair.screens.get(link), `${link.userId} got no screen`, { timeout: 10000 });
      const screen = await waitForDecodedFrames(pair.screens.get(link)!, { timeout: 10000 });
      expect(screen.width, `${link.userId}: the screen at its own size, not the camera's`).to.equal(1280);
      // The camera is the same stream as before, and still flowing.
      expect(pair.streams.get(link)).to.equal(link === pair.polite ? politeCamera : impoliteCamera);
      for (let i = 0; i < 3; i++) {
        for (const l of [pair.polite, pair.impolite]) {
          const all = [...(await l.peerConnection.getStats()).values()];
          console.log(l.userId, l.peerConnection.connectionState, JSON.stringify(all.filter((r) => r.type === 'inbound-rtp' && r.kind === 'video').map((r) => `in ${r.mid}:${r.framesDecoded}:${r.packetsReceived}`)), JSON.stringify(all.filter((r) => r.type === 'outbound-rtp' && r.kind === 'video').map((r) => `out ${r.mid}:${r.framesEncoded}:${r.packetsSent}:${r.qualityLimitationReason}`)));
        }
        await new Promise((r) => setTimeout(r, 1500));
      }
      const stats = 0;
      console.log(link.userId, JSON.stringify(stats), link.peerConnection.getTransceivers().map((t) => `${t.mid}:${t.currentDirection}:${t.receiver.track.id === pair.streams.get(link)!.getVideoTracks()[0].id}`).join(' '));
      await waitForDecodedFrames(pair.streams.get(link)!);
      const screenTrack = pair.screens.get(link)!.getVideoTracks()[0];
      expect(pair.streams.get(link)!.getVideoTracks()[0], 'the camera is not the screen').not.to.equal(screenTrack);
      const shared = (link === pair.polite ? politeScreen : impoliteScreen).getVideoTracks()[0];
      const sender = link.peerConnection.getSenders().find((each) => each.track === shared)!;
      expect(sender, `${link.userId} sends its screen`).to.exist;
      await waitUntil(() => sender.getParameters().encodings[0]?.maxBitrate === 2_500_000, `${link.userId}: the screen's own bitrate`);
      expect(sender.getParameters().encodings[0].priority).to.equal('medium');
    }

    expect([pair.polite, pair.impolite].map((link) => link.peerConnection.currentLocalDescription!.sdp), 'no renegotiation').to.deep.equal(descriptions);

    // Stopping announces it: the far side drops the screen, the camera goes on.
    pair.polite.setScreenTrack(null);
    await waitUntil(() => pair.screens.get(pair.impolite) === null, 'the impolite side still shows a screen');
    await waitForDecodedFrames(pair.streams.get(pair.impolite)!);
    expect(pair.screens.get(pair.polite), 'the other screen goes on').to.be.instanceOf(MediaStream);
  });
});

/**
 * Counts what a test creates behind the library's back: every media track handed out by
 * getUserMedia, getDisplayMedia or a canvas capture, every RTCPeerConnection and every data channel
 * on one (opened by either side). A test then asserts that each one was stopped or closed, without
 * trusting the library's own bookkeeping.
 */
export interface ResourceLedger {
  readonly tracks: MediaStreamTrack[];
  readonly connections: RTCPeerConnection[];
  readonly channels: RTCDataChannel[];
  liveTracks(): MediaStreamTrack[];
  openConnections(): RTCPeerConnection[];
  openChannels(): RTCDataChannel[];
  restore(): void;
}

export function trackResources(): ResourceLedger {
  const tracks: MediaStreamTrack[] = [];
  const connections: RTCPeerConnection[] = [];
  const channels: RTCDataChannel[] = [];
  const mediaDevices = navigator.mediaDevices;
  const originalGetUserMedia = mediaDevices.getUserMedia;
  const originalGetDisplayMedia = mediaDevices.getDisplayMedia;
  const originalCaptureStream = HTMLCanvasElement.prototype.captureStream;
  const OriginalPeerConnection = window.RTCPeerConnection;

  mediaDevices.getUserMedia = async function (this: MediaDevices, constraints?: MediaStreamConstraints) {
    const stream = await originalGetUserMedia.call(this, constraints);
    tracks.push(...stream.getTracks());
    return stream;
  };
  if (originalGetDisplayMedia) {
    mediaDevices.getDisplayMedia = async function (this: MediaDevices, options?: DisplayMediaStreamOptions) {
      const stream = await originalGetDisplayMedia.call(this, options);
      tracks.push(...stream.getTracks());
      return stream;
    };
  }
  HTMLCanvasElement.prototype.captureStream = function (this: HTMLCanvasElement, frameRate?: number) {
    const stream = originalCaptureStream.call(this, frameRate);
    tracks.push(...stream.getTracks());
    return stream;
  };
  class CountedPeerConnection extends OriginalPeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      connections.push(this);
      this.addEventListener('datachannel', (event) => channels.push(event.channel));
    }

    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      channels.push(channel);
      return channel;
    }
  }
  window.RTCPeerConnection = CountedPeerConnection;

  return {
    tracks,
    connections,
    channels,
    liveTracks: () => tracks.filter((track) => track.readyState !== 'ended'),
    openConnections: () => connections.filter((connection) => connection.signalingState !== 'closed'),
    openChannels: () => channels.filter((channel) => channel.readyState !== 'closed'),
    restore() {
      mediaDevices.getUserMedia = originalGetUserMedia;
      if (originalGetDisplayMedia) mediaDevices.getDisplayMedia = originalGetDisplayMedia;
      HTMLCanvasElement.prototype.captureStream = originalCaptureStream;
      window.RTCPeerConnection = OriginalPeerConnection;
    },
  };
}

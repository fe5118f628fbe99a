// Runs inside one participant's page of an N-person call (served by bench/mesh-lib.mjs). One page
// per participant; the driver (bench/mesh.mjs, and bench/setup.mjs for its connection count) talks
// to it through `window.meshBench`. Two kinds of page: `meshcall` (one CallController) and `peerjs`
// (a bare PeerJS mesh: every page peer.call()s the pages with a larger id and answers the others).
// Every RTCPeerConnection the page constructs is counted by a wrapper the driver installs before
// any script runs (see COUNT_PEER_CONNECTIONS in bench/mesh-lib.mjs).

/** Same as meshcall's DEFAULT_MEDIA_CONSTRAINTS (src/controller/local-media.ts), for both kinds. */
const MEDIA_CONSTRAINTS = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } },
};

/** Wall-clock ms with sub-ms resolution, comparable between the pages of one machine. */
const now = () => performance.timeOrigin + performance.now();

/** One entry per remote participant: the video showing their stream and its decoded frames. */
const remotes = new Map();
const errors = [];
let kind = null;
let controller = null;
let peer = null;
let localStream = null;
const calls = new Map();
const unanswered = [];

/** Shows a remote stream in a small video; counts its frames with requestVideoFrameCallback. */
function show(remoteId, stream) {
  if (!stream || stream.getVideoTracks().length === 0) return;
  let entry = remotes.get(remoteId);
  if (!entry) {
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.width = 160;
    video.height = 120;
    video.dataset.remote = remoteId;
    document.body.append(video);
    entry = { video, stream: null, firstFrameAt: null, frames: 0, streams: 0 };
    remotes.set(remoteId, entry);
    const onFrame = () => {
      entry.frames += 1;
      entry.firstFrameAt ??= now();
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }
  if (entry.stream === stream) return;
  entry.stream = stream;
  entry.streams += 1;
  entry.video.srcObject = stream;
  entry.video.play().catch(() => undefined);
}

function connectionTo(remoteId) {
  if (kind === 'meshcall') return controller.connectionOf(remoteId);
  return calls.get(remoteId)?.peerConnection ?? null;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

// ---- meshcall ----

async function setupMeshcall({ id, server }) {
  const { CallController } = await import('/dist/meshcall.bundle.js');
  controller = new CallController();
  controller.addEventListener('call-error', (event) => errors.push(`call-error: ${event.error.type}: ${event.error.message}`));
  controller.addEventListener('call-participant-change', (event) => {
    const participant = event.participant;
    if (!participant.isLocal) show(participant.id, participant.stream);
  });
  await controller.connect({ user: { id, name: id }, server, iceServers: [] });
}

/**
 * For a stream that stalls: how this page sees each remote participant and what it sends them
 * (a participant left `ringing` here gets no tracks from us; a connection up but silent sends some).
 */
function describeParticipants() {
  if (!controller?.call) return [];
  return [...controller.call.participants.values()].map((participant) => {
    const pc = controller.connectionOf(participant.id);
    return {
      id: participant.id,
      state: participant.state,
      connection: pc?.connectionState ?? null,
      signaling: pc?.signalingState ?? null,
      sending: pc ? pc.getTransceivers().filter((t) => t.sender.track).map((t) => `${t.sender.track.kind}:${t.mid}:${t.currentDirection}`) : [],
      transceivers: pc ? pc.getTransceivers().length : 0,
    };
  });
}

// ---- bare PeerJS ----

function track(call) {
  calls.set(call.peer, call);
  call.on('stream', (stream) => show(call.peer, stream));
  call.on('error', (error) => errors.push(`call error with ${call.peer}: ${error?.type ?? ''} ${error?.message ?? error}`));
}

async function setupPeerjs({ id, server }) {
  await loadScript('/peerjs.min.js');
  const { Peer } = window.peerjs;
  peer = new Peer(id, { ...server, secure: false, debug: 0, config: { iceServers: [] } });
  await new Promise((resolve, reject) => {
    peer.once('open', resolve);
    peer.once('error', reject);
  });
  peer.on('error', (error) => errors.push(`peer error: ${error.type}: ${error.message}`));
  peer.on('call', (call) => {
    track(call);
    if (localStream) call.answer(localStream);
    else unanswered.push(call);
  });
}

// ---- the driver's interface ----

window.meshBench = {
  async setup(options) {
    kind = options.kind;
    await withTimeout(kind === 'meshcall' ? setupMeshcall(options) : setupPeerjs(options), 15000, `${kind} setup`);
    return document.visibilityState;
  },

  /** meshcall: the first page rings everyone else. */
  async startCall(participants) {
    await controller.startCall({ conversationId: 'mesh-bench', participants, video: true });
    return true;
  },

  state() {
    return controller?.state ?? null;
  },

  /** meshcall: answers the ring; returns when accept() was called, not when it resolved. */
  accept() {
    const at = now();
    controller.accept().catch((error) => errors.push(`accept: ${error?.message ?? error}`));
    return at;
  },

  /** Bare PeerJS, the first page: its devices are on before the call, like meshcall's caller's. */
  async prepareMedia() {
    localStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
    return true;
  },

  /** Bare PeerJS: opens the devices, answers the calls that came meanwhile, calls the larger ids. */
  startPeerjs(largerIds) {
    const at = now();
    (async () => {
      localStream ??= await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      for (const call of unanswered.splice(0)) call.answer(localStream);
      for (const id of largerIds) track(peer.call(id, localStream));
    })().catch((error) => errors.push(`start: ${error?.message ?? error}`));
    return at;
  },

  /** Which remotes have shown a frame, and when; the page's RTCPeerConnections. */
  progress() {
    const constructed = window.__meshPeerConnections ?? [];
    return {
      visibility: document.visibilityState,
      remotes: [...remotes].map(([id, entry]) => ({
        id,
        firstFrameAt: entry.firstFrameAt,
        frames: entry.frames,
        streams: entry.streams,
        quality: entry.video.getVideoPlaybackQuality().totalVideoFrames,
      })),
      peerConnections: {
        constructed: constructed.length,
        constructedBeforeCall: window.__meshPeerConnectionsAtSetup ?? null,
        open: constructed.filter((pc) => pc.connectionState !== 'closed').length,
        connected: constructed.filter((pc) => pc.connectionState === 'connected').length,
      },
      errors: [...errors],
      participants: describeParticipants(),
    };
  },

  /** Marks how many RTCPeerConnections existed before the call started (PeerJS probes one at load). */
  markSetupDone() {
    window.__meshPeerConnectionsAtSetup = (window.__meshPeerConnections ?? []).length;
    return window.__meshPeerConnectionsAtSetup;
  },

  /** Per remote: video frames decoded so far (inbound-rtp), frames shown, and what is sent. */
  async sample(remoteIds) {
    const at = now();
    const out = {};
    await Promise.all(remoteIds.map(async (id) => {
      const pc = connectionTo(id);
      const entry = remotes.get(id);
      const result = { framesDecoded: null, frameHeight: null, shown: entry?.frames ?? 0, limitation: null, sentHeight: null, sentFps: null };
      if (pc && pc.connectionState !== 'closed') {
        const stats = await pc.getStats();
        let decoded = 0;
        let found = false;
        for (const report of stats.values()) {
          if (report.type === 'inbound-rtp' && report.kind === 'video') {
            found = true;
            decoded += report.framesDecoded ?? 0;
            result.frameHeight = report.frameHeight ?? result.frameHeight;
          } else if (report.type === 'outbound-rtp' && report.kind === 'video') {
            result.limitation = report.qualityLimitationReason ?? null;
            result.sentHeight = report.frameHeight ?? null;
            result.sentFps = report.framesPerSecond ?? null;
          }
        }
        if (found) result.framesDecoded = decoded;
      }
      out[id] = result;
    }));
    return { at, streams: out };
  },
};

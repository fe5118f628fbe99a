// Runs inside the benchmark page (served by bench/setup.mjs). One page per scenario, so that each
// loads only what a real app of that kind would: the meshcall bundle, the PeerJS global build, or
// nothing. bench/setup.mjs drives it through `window.bench`.

/** Same as meshcall's DEFAULT_MEDIA_CONSTRAINTS (src/controller/local-media.ts). */
const MEDIA_CONSTRAINTS = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } },
};
const RUN_TIMEOUT_MS = 15000;
/**
 * How long the answering side has had its media and (for meshcall) the ring before the timed
 * "accept": users take a moment to answer. Set by the driver, the same for every scenario.
 */
let thinkMs = 0;

// ---- tracing: where the time goes between the start of a run and the first frame ----

/** The run being traced: marks are ms since its start, the first occurrence of each label only. */
let trace = null;
let traceCount = 0;

function startTrace() {
  trace = { id: ++traceCount, t0: performance.now(), marks: {} };
  return trace;
}

function mark(label, run = trace) {
  if (trace && run === trace && !(label in trace.marks)) trace.marks[label] = round(performance.now() - trace.t0);
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}

/**
 * Wraps getUserMedia and RTCPeerConnection (after the libraries loaded, so on top of any shim) to
 * mark the steps of connection setup. A peer connection created before a run (meshcall's control
 * channels, and its media offer, which goes out with the ring) marks the steps that happen during
 * the run. The wrappers are installed identically in every scenario.
 */
function installTracing() {
  const mediaDevices = navigator.mediaDevices;
  const getUserMedia = mediaDevices.getUserMedia.bind(mediaDevices);
  mediaDevices.getUserMedia = async (constraints) => {
    const run = trace;
    mark('getUserMedia start', run);
    const stream = await getUserMedia(constraints);
    mark('getUserMedia done', run);
    return stream;
  };

  const Native = window.RTCPeerConnection;
  class TracedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      this.benchRun = trace;
      this.benchRole = 'answerer';
      if (trace) mark('pc created');
      this.addEventListener('icegatheringstatechange', () => {
        if (this.iceGatheringState === 'complete') this.#mark('ICE gathering complete');
      });
      this.addEventListener('icecandidate', () => this.#mark('first local candidate'));
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') this.#mark('ICE connected');
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') this.#mark('DTLS connected');
      });
      this.addEventListener('track', () => this.#mark('remote track'));
    }

    #mark(label) {
      mark(`${this.benchRole}: ${label}`, this.benchRun ?? trace);
    }

    async createOffer(...args) {
      this.benchRole = 'offerer';
      const offer = await super.createOffer(...args);
      this.#mark('offer created');
      return offer;
    }

    async createAnswer(...args) {
      const answer = await super.createAnswer(...args);
      this.#mark('answer created');
      return answer;
    }

    async setLocalDescription(...args) {
      const result = await super.setLocalDescription(...args);
      this.#mark(`setLocalDescription(${this.localDescription?.type}) done`);
      return result;
    }

    async setRemoteDescription(description, ...rest) {
      this.#mark(`setRemoteDescription(${description?.type}) start`);
      const result = await super.setRemoteDescription(description, ...rest);
      this.#mark(`setRemoteDescription(${description?.type}) done`);
      return result;
    }
  }
  window.RTCPeerConnection = TracedPeerConnection;
}

// ---- helpers ----

/** Shows a remote stream and resolves with the time its first video frame was decoded. */
function firstFrame(stream, label) {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 160;
  video.height = 120;
  video.dataset.bench = label;
  video.srcObject = stream;
  document.body.append(video);
  const run = trace;
  return new Promise((resolve) => {
    video.requestVideoFrameCallback(() => {
      mark(`${label}: first frame`, run);
      resolve(performance.now());
    });
    video.play().catch(() => undefined);
  });
}

function removeVideos() {
  for (const video of document.querySelectorAll('video[data-bench]')) {
    video.srcObject = null;
    video.remove();
  }
}

function stopStream(stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
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

function once(target, type) {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function randomId(prefix) {
  return `${prefix}${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
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

/** Errors seen in the page that a run did not throw itself: reported with a failed run. */
const pageErrors = [];

// ---- scenario 1: meshcall, two CallControllers ----

function meshcallScenario(config) {
  let caller;
  let callee;
  let calleeId;

  /**
   * The first frame of the remote participant's stream, as an app showing it would get it. The
   * callee may have the caller's stream already: it arrives while the call rings (preconnect).
   */
  function remoteFrame(controller, label) {
    const hasVideo = (participant) => !!participant?.stream && participant.stream.getVideoTracks().length > 0;
    const present = [...(controller.call?.participants.values() ?? [])].find(hasVideo);
    if (present) return firstFrame(present.stream, label);
    return new Promise((resolve) => {
      const onChange = (event) => {
        const participant = event.participant;
        if (participant.isLocal || !participant.stream || participant.stream.getVideoTracks().length === 0) return;
        controller.removeEventListener('call-participant-change', onChange);
        resolve(firstFrame(participant.stream, label));
      };
      controller.addEventListener('call-participant-change', onChange);
    });
  }

  async function waitIdle(controller) {
    while (controller.state !== 'idle') {
      await withTimeout(once(controller, 'call-state-change'), 5000, `waiting for ${controller.user?.id} to be idle`);
    }
  }

  return {
    async setup() {
      const { CallController } = await import('/dist/meshcall.bundle.js');
      installTracing();
      caller = new CallController();
      callee = new CallController();
      for (const controller of [caller, callee]) {
        controller.addEventListener('call-error', (event) => pageErrors.push(`call-error: ${event.error.type}: ${event.error.message}`));
      }
      calleeId = randomId('benchcallee');
      const server = { host: config.host, port: config.port, path: config.path };
      await Promise.all([
        caller.connect({ user: { id: randomId('benchcaller'), name: 'Caller' }, server, iceServers: [] }),
        callee.connect({ user: { id: calleeId, name: 'Callee' }, server, iceServers: [] }),
      ]);
    },

    async run() {
      const incoming = once(callee, 'call-incoming');
      await caller.startCall({ conversationId: 'bench', participants: [calleeId], video: true });
      await withTimeout(incoming, 5000, 'call-incoming');
      await sleep(thinkMs);
      const run = startTrace();
      const callerSees = remoteFrame(caller, 'caller');
      const calleeSees = remoteFrame(callee, 'callee');
      const accepted = callee.accept().then(() => mark('accept() resolved', run));
      const [callerFrame, calleeFrame] = await withTimeout(Promise.all([callerSees, calleeSees, accepted]), RUN_TIMEOUT_MS, 'meshcall run');
      return {
        ms: callerFrame - run.t0,
        otherSideMs: calleeFrame - run.t0,
        marks: run.marks,
      };
    },

    async reset() {
      trace = null;
      // One side hangs up, as users do; the other follows only if the goodbye got lost.
      await caller.hangUp();
      await waitIdle(callee).catch(() => callee.hangUp());
      await Promise.all([waitIdle(caller), waitIdle(callee)]);
      removeVideos();
    },
  };
}

// ---- scenario 2: bare PeerJS, two Peers ----

function peerjsScenario(config) {
  let dialer;
  let answerer;
  let answererId;
  let answererStream = null;
  let dialerStream = null;
  let calls = [];

  function open(peer) {
    return new Promise((resolve, reject) => {
      peer.once('open', resolve);
      peer.once('error', reject);
    });
  }

  return {
    async setup() {
      await loadScript('/peerjs.min.js');
      installTracing();
      const { Peer } = window.peerjs;
      const options = { host: config.host, port: config.port, path: config.path, secure: false, debug: 0, config: { iceServers: [] } };
      answererId = randomId('benchanswerer');
      dialer = new Peer(randomId('benchdialer'), options);
      answerer = new Peer(answererId, options);
      await Promise.all([open(dialer), open(answerer)]);
      for (const peer of [dialer, answerer]) peer.on('error', (error) => pageErrors.push(`peer error: ${error.type}: ${error.message}`));
    },

    async run() {
      // Like meshcall's caller, the answering side has its media before the "accept".
      answererStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      const answererSees = new Promise((resolve) => {
        answerer.once('call', (call) => {
          calls.push(call);
          call.once('stream', (stream) => resolve(firstFrame(stream, 'answerer')));
          call.answer(answererStream);
        });
      });
      await sleep(thinkMs);
      const run = startTrace();
      dialerStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      const call = dialer.call(answererId, dialerStream);
      calls.push(call);
      const dialerSees = new Promise((resolve) => call.once('stream', (stream) => resolve(firstFrame(stream, 'dialer'))));
      const [answererFrame, dialerFrame] = await withTimeout(Promise.all([answererSees, dialerSees]), RUN_TIMEOUT_MS, 'PeerJS run');
      return { ms: answererFrame - run.t0, otherSideMs: dialerFrame - run.t0, marks: run.marks };
    },

    async reset() {
      trace = null;
      answerer.removeAllListeners('call');
      const closed = calls.map((call) => new Promise((resolve) => (call.open ? call.once('close', resolve) : resolve())));
      for (const call of calls) call.close();
      await withTimeout(Promise.all(closed), 5000, 'closing PeerJS calls').catch(() => undefined);
      calls = [];
      stopStream(dialerStream);
      stopStream(answererStream);
      dialerStream = answererStream = null;
      removeVideos();
    },
  };
}

// ---- scenario 3: bare RTCPeerConnection, offer/answer exchanged in the page ----

function rtcScenario() {
  let connections = [];
  let streams = [];

  /** Trickles candidates from one connection to the other, holding them until it has a remote description. */
  function trickle(from, to) {
    const pending = [];
    from.addEventListener('icecandidate', ({ candidate }) => {
      if (!candidate) return;
      if (to.remoteDescription) void to.addIceCandidate(candidate).catch((error) => pageErrors.push(String(error)));
      else pending.push(candidate);
    });
    return async () => {
      for (const candidate of pending.splice(0)) await to.addIceCandidate(candidate);
    };
  }

  return {
    async setup() {
      installTracing();
    },

    async run() {
      const answererStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      streams.push(answererStream);
      await sleep(thinkMs);
      const run = startTrace();
      const dialerStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      streams.push(dialerStream);
      const dialer = new RTCPeerConnection({ iceServers: [] });
      const answerer = new RTCPeerConnection({ iceServers: [] });
      connections = [dialer, answerer];
      const flushToAnswerer = trickle(dialer, answerer);
      const flushToDialer = trickle(answerer, dialer);
      const answererSees = new Promise((resolve) =>
        answerer.addEventListener('track', (event) => resolve(firstFrame(event.streams[0], 'answerer')), { once: true }),
      );
      const dialerSees = new Promise((resolve) =>
        dialer.addEventListener('track', (event) => resolve(firstFrame(event.streams[0], 'dialer')), { once: true }),
      );
      for (const track of dialerStream.getTracks()) dialer.addTrack(track, dialerStream);
      await dialer.setLocalDescription(await dialer.createOffer());
      await answerer.setRemoteDescription(dialer.localDescription);
      await flushToAnswerer();
      for (const track of answererStream.getTracks()) answerer.addTrack(track, answererStream);
      await answerer.setLocalDescription(await answerer.createAnswer());
      await dialer.setRemoteDescription(answerer.localDescription);
      await flushToDialer();
      const [answererFrame, dialerFrame] = await withTimeout(Promise.all([answererSees, dialerSees]), RUN_TIMEOUT_MS, 'RTCPeerConnection run');
      return { ms: answererFrame - run.t0, otherSideMs: dialerFrame - run.t0, marks: run.marks };
    },

    async reset() {
      trace = null;
      for (const connection of connections) connection.close();
      connections = [];
      for (const stream of streams.splice(0)) stopStream(stream);
      removeVideos();
    },
  };
}

// ---- scenario 4: the floor: a bare pair connected before the accept, camera opened at the accept ----

/**
 * What any design that keeps the callee's devices closed until the accept must pay: the connection
 * is up already (two RTCPeerConnections in the page, transceivers negotiated with no track), and
 * the timed part is only getUserMedia, `replaceTrack` and the media pipeline up to the first frame.
 */
function floorScenario() {
  let connections = [];
  let streams = [];

  function trickle(from, to) {
    from.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) void to.addIceCandidate(candidate).catch(() => undefined);
    });
  }

  return {
    async setup() {
      installTracing();
    },

    async run() {
      const dialerStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      streams.push(dialerStream);
      const dialer = new RTCPeerConnection({ iceServers: [] });
      const answerer = new RTCPeerConnection({ iceServers: [] });
      connections = [dialer, answerer];
      trickle(dialer, answerer);
      trickle(answerer, dialer);
      const dialerReceives = new Promise((resolve) => {
        const stream = new MediaStream();
        dialer.addEventListener('track', (event) => {
          stream.addTrack(event.track);
          if (stream.getTracks().length === 2) resolve(stream);
        });
      });
      const answererReceives = new Promise((resolve) =>
        answerer.addEventListener('track', (event) => resolve(event.streams[0]), { once: true }),
      );
      for (const track of dialerStream.getTracks()) dialer.addTrack(track, dialerStream);
      await dialer.setLocalDescription(await dialer.createOffer());
      await answerer.setRemoteDescription(dialer.localDescription);
      const answererTransceivers = answerer.getTransceivers();
      for (const transceiver of answererTransceivers) transceiver.direction = 'sendrecv';
      await answerer.setLocalDescription(await answerer.createAnswer());
      await dialer.setRemoteDescription(answerer.localDescription);
      const connected = (pc) => (pc.connectionState === 'connected' ? null : once(pc, 'connectionstatechange'));
      while (dialer.connectionState !== 'connected' || answerer.connectionState !== 'connected') {
        await withTimeout(Promise.race([connected(dialer), connected(answerer)].filter(Boolean)), 5000, 'floor connection');
      }
      const [answererStreamIn, dialerStreamIn] = await Promise.all([answererReceives, dialerReceives]);
      // The dialer's media flows before the accept, as a caller's does: only the answerer's side is timed.
      const answererSees = firstFrame(answererStreamIn, 'answerer');
      await sleep(thinkMs);
      const run = startTrace();
      const dialerSees = firstFrame(dialerStreamIn, 'dialer');
      const answererStream = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
      streams.push(answererStream);
      await Promise.all(
        answererTransceivers.map((transceiver) =>
          transceiver.sender.replaceTrack(answererStream.getTracks().find((track) => track.kind === transceiver.receiver.track.kind) ?? null),
        ),
      );
      await answererSees;
      const dialerFrame = await withTimeout(dialerSees, RUN_TIMEOUT_MS, 'floor run');
      return { ms: dialerFrame - run.t0, otherSideMs: null, marks: run.marks };
    },

    async reset() {
      trace = null;
      for (const connection of connections) connection.close();
      connections = [];
      for (const stream of streams.splice(0)) stopStream(stream);
      removeVideos();
    },
  };
}

// ---- the driver's interface ----

const SCENARIOS = { meshcall: meshcallScenario, peerjs: peerjsScenario, rtc: rtcScenario, floor: floorScenario };
let scenario = null;

window.bench = {
  async setup(name, config) {
    thinkMs = config.thinkMs;
    scenario = SCENARIOS[name](config);
    await withTimeout(scenario.setup(), 15000, `${name} setup`);
    return true;
  },

  /** One timed run; always leaves the page idle again, also when the run failed. */
  async run() {
    pageErrors.length = 0;
    try {
      return { ok: true, ...(await scenario.run()) };
    } catch (error) {
      return { ok: false, error: String(error?.message ?? error), pageErrors: [...pageErrors] };
    } finally {
      await withTimeout(scenario.reset(), 8000, 'reset');
      // Let closed connections wind down before the next scenario runs.
      await sleep(100);
    }
  },
};

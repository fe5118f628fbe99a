import { waitUntil } from '@open-wc/testing';
/**
 * Media assertions that work in Chromium and Firefox (headless, fake devices).
 */

export interface DecodedFrames {
  /** Frames presented by the <video> element (requestVideoFrameCallback or playback quality). */
  frames: number;
  width: number;
  height: number;
  /** Milliseconds from the call until `minFrames` were seen. */
  elapsedMs: number;
}

export interface WaitForDecodedFramesOptions {
  /** Frames to wait for (default 3). */
  minFrames?: number;
  /** Milliseconds before rejecting (default 10000). */
  timeout?: number;
}

/** Fake devices as both browsers' test configs provide them. */
export function getFakeMedia(
  constraints: MediaStreamConstraints = { audio: true, video: { width: 320, height: 240 } },
): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia(constraints);
}

/** Stops every track of every given stream (null/undefined are skipped). */
export function stopStreams(...streams: (MediaStream | null | undefined)[]): void {
  for (const stream of streams) stream?.getTracks().forEach((track) => track.stop());
}

function describeStream(stream: MediaStream): string {
  return stream
    .getTracks()
    .map((t) => `${t.kind}:${t.readyState}${t.muted ? ':muted' : ''}${t.enabled ? '' : ':disabled'}`)
    .join(',');
}

/**
 * Plays `stream` in a muted, off-screen <video> and resolves once it has presented at least
 * `minFrames` decoded frames with a non-zero size. Rejects after `timeout` ms.
 */
export async function waitForDecodedFrames(
  stream: MediaStream,
  { minFrames = 3, timeout = 10000 }: WaitForDecodedFramesOptions = {},
): Promise<DecodedFrames> {
  const start = performance.now();
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 160;
  video.height = 120;
  video.style.cssText = 'position:fixed;left:0;top:0;opacity:0.01;pointer-events:none';
  video.srcObject = stream;
  document.body.append(video);

  let callbackFrames = 0;
  let stopped = false;
  const onFrame = () => {
    callbackFrames += 1;
    if (!stopped) video.requestVideoFrameCallback(onFrame);
  };
  const hasRvfc = 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
  if (hasRvfc) video.requestVideoFrameCallback(onFrame);

  const count = () => {
    const quality = video.getVideoPlaybackQuality?.();
    return Math.max(callbackFrames, quality ? quality.totalVideoFrames - quality.droppedVideoFrames : 0);
  };

  try {
    video.play().catch(() => {
      /* autoplay of a muted element is allowed; a rejection here is retried by autoplay */
    });
    while (true) {
      const frames = count();
      if (frames >= minFrames && video.videoWidth > 0 && video.videoHeight > 0) {
        return {
          frames,
          width: video.videoWidth,
          height: video.videoHeight,
          elapsedMs: Math.round(performance.now() - start),
        };
      }
      if (performance.now() - start > timeout) {
        throw new Error(
          `waitForDecodedFrames: ${frames}/${minFrames} frames after ${timeout} ms ` +
            `(videoWidth=${video.videoWidth}, readyState=${video.readyState}, ` +
            `currentTime=${video.currentTime.toFixed(2)}, tracks=${describeStream(stream)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    stopped = true;
    video.pause();
    video.srcObject = null;
    video.remove();
  }
}

export interface WaitForAudioOptions {
  /** Milliseconds before rejecting (default 10000). */
  timeout?: number;
  /** RMS level (0..1 of full scale) that counts as sound (default 0.01). */
  threshold?: number;
}

export interface AudioLevel {
  /** Highest RMS level seen (0..1). */
  rms: number;
  elapsedMs: number;
}

/**
 * Resolves once the stream's audio shows non-silent energy (an AnalyserNode's RMS above
 * `threshold`). Chromium's fake microphone beeps periodically, Firefox's plays a constant tone,
 * so the level is polled until the timeout. Rejects after `timeout` ms.
 */
export async function waitForAudio(
  stream: MediaStream,
  { timeout = 10000, threshold = 0.01 }: WaitForAudioOptions = {},
): Promise<AudioLevel> {
  if (stream.getAudioTracks().length === 0) {
    throw new Error(`waitForAudio: stream has no audio track (tracks=${describeStream(stream)})`);
  }
  const start = performance.now();
  // Chromium only feeds remote WebRTC audio to Web Audio while a media element plays the stream.
  const sink = document.createElement('audio');
  sink.muted = true;
  sink.autoplay = true;
  sink.srcObject = stream;
  document.body.append(sink);
  sink.play().catch(() => {});

  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let peak = 0;
  try {
    // resume() never settles when the browser has no audio output (Firefox needs the pref
    // media.cubeb.force_mock_context in headless CI), so do not wait on it unbounded.
    if (context.state !== 'running') {
      await Promise.race([
        context.resume().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, timeout)),
      ]);
    }
    while (true) {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      peak = Math.max(peak, rms);
      if (rms >= threshold) {
        return { rms: peak, elapsedMs: Math.round(performance.now() - start) };
      }
      if (performance.now() - start > timeout) {
        throw new Error(
          `waitForAudio: peak RMS ${peak.toFixed(4)} < ${threshold} after ${timeout} ms ` +
            `(AudioContext ${context.state}, tracks=${describeStream(stream)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    source.disconnect();
    void context.close().catch(() => {});
    sink.pause();
    sink.srcObject = null;
    sink.remove();
  }
}

/** Counts frames a <video> presents, from requestVideoFrameCallback or its playback quality. */
function frameCounter(video: HTMLVideoElement): { count: () => number; stop: () => void } {
  let presented = 0;
  let stopped = false;
  const onFrame = () => {
    presented += 1;
    if (!stopped) video.requestVideoFrameCallback(onFrame);
  };
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(onFrame);
  return {
    count: () => {
      const quality = video.getVideoPlaybackQuality?.();
      return Math.max(presented, quality ? quality.totalVideoFrames - quality.droppedVideoFrames : 0);
    },
    stop: () => {
      stopped = true;
    },
  };
}

/** Resolves once `video` has presented `frames` more frames than it had when called. */
export async function waitForNewFrames(video: HTMLVideoElement, frames = 5, timeout = 15000): Promise<void> {
  const counter = frameCounter(video);
  const start = counter.count();
  try {
    await waitUntil(
      () => counter.count() >= start + frames && video.videoWidth > 0,
      `expected ${frames} new frames (had ${start}, now ${counter.count()}, ` +
        `videoWidth ${video.videoWidth}, readyState ${video.readyState})`,
      { timeout, interval: 50 },
    );
  } finally {
    counter.stop();
  }
}

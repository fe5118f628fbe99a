/**
 * A stand-in for a shared screen where the browser has none to capture (headless Firefox rejects
 * `getDisplayMedia` with `NotFoundError` whatever its prefs): a canvas of text that changes ten
 * times a second, captured as a stream. It stops drawing once its track is stopped.
 */
export function canvasScreen(label = 'Shared screen', { width = 1280, height = 720 } = {}): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const stream = canvas.captureStream(10);
  const [track] = stream.getVideoTracks();
  let frame = 0;
  const draw = () => {
    if (track.readyState === 'ended') {
      clearInterval(timer);
      return;
    }
    frame += 1;
    context.fillStyle = '#f5f7fa';
    context.fillRect(0, 0, width, height);
    context.fillStyle = '#1f2430';
    context.font = `bold ${Math.round(height / 9)}px sans-serif`;
    context.fillText(label, width * 0.08, height * 0.3);
    context.font = `${Math.round(height / 18)}px monospace`;
    for (let line = 0; line < 5; line++) context.fillText(`• point ${line + 1}: frame ${frame}`, width * 0.1, height * (0.45 + line * 0.1));
    context.fillStyle = '#2563eb';
    context.fillRect((frame * 20) % width, height - 24, 120, 12);
  };
  const timer = setInterval(draw, 100);
  draw();
  return stream;
}

/** Firefox headless has no screen to capture; Chromium's fake one comes through the real picker. */
export const browserHasNoScreen = navigator.userAgent.includes('Firefox');

/**
 * The `displayMedia` option for tests' controllers: the browser's own picker where it gives a
 * (fake) screen, a canvas elsewhere.
 */
export function testDisplayMedia(label?: string): { displayMedia?: () => Promise<MediaStream> } {
  return browserHasNoScreen ? { displayMedia: async () => canvasScreen(label) } : {};
}

/** What a browser does when its "stop sharing" control is used: the track ends and says so. */
export function endFromBrowser(track: MediaStreamTrack): void {
  track.stop();
  track.dispatchEvent(new Event('ended'));
}

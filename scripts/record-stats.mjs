#!/usr/bin/env node
// Records real getStats() output for the quality parsers' unit tests: in Debian's Chromium and in
// Firefox ESR, one page holds two RTCPeerConnections (fake camera and microphone, host candidates,
// no ICE servers) and the sending side's and receiving side's reports are taken twice, 1 s apart.
// Writes src/controller/quality/fixtures/<browser>-stats.ts. Run: node scripts/record-stats.mjs
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, FIREFOX_PREFS } from './browsers.mjs';

const OUT = fileURLToPath(new URL('../src/controller/quality/fixtures/', import.meta.url));

/** Runs in the page: a call between two local connections, then their reports as plain objects. */
async function recordInPage() {
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  const sender = new RTCPeerConnection({ iceServers: [] });
  const receiver = new RTCPeerConnection({ iceServers: [] });
  sender.onicecandidate = ({ candidate }) => candidate && receiver.addIceCandidate(candidate);
  receiver.onicecandidate = ({ candidate }) => candidate && sender.addIceCandidate(candidate);
  for (const track of media.getTracks()) sender.addTrack(track, media);
  const sink = document.createElement('video');
  sink.muted = true;
  receiver.ontrack = ({ streams }) => {
    sink.srcObject = streams[0];
    void sink.play().catch(() => undefined);
  };
  await sender.setLocalDescription();
  await receiver.setRemoteDescription(sender.localDescription);
  await receiver.setLocalDescription();
  await sender.setRemoteDescription(receiver.localDescription);
  // Remote-inbound reports (RTCP receiver reports) take a few seconds to arrive.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  // Certificates are long and say nothing about quality.
  const plain = async (pc) => [...(await pc.getStats()).values()].filter((stats) => stats.type !== 'certificate').map((stats) => ({ ...stats }));
  const first = { sender: await plain(sender), receiver: await plain(receiver) };
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const second = { sender: await plain(sender), receiver: await plain(receiver) };
  sender.close();
  receiver.close();
  media.getTracks().forEach((track) => track.stop());
  return { userAgent: navigator.userAgent, samples: [first, second] };
}

const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>stats</title>'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}/`;
const launches = {
  chromium: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
  firefox: { browser: 'firefox', executablePath: FIREFOX_PATH, headless: true, extraPrefsFirefox: FIREFOX_PREFS },
};
try {
  for (const [name, options] of Object.entries(launches)) {
    const browser = await puppeteer.launch({ ...options, protocolTimeout: 30000 });
    try {
      const page = await browser.newPage();
      await page.goto(origin);
      const recording = await page.evaluate(recordInPage);
      const text =
        `// Recorded by scripts/record-stats.mjs in ${recording.userAgent}: getStats() of a sending and a receiving\n` +
        `// RTCPeerConnection in one page (fake 640x480 camera and microphone), twice, 1 s apart.\n` +
        `/* eslint-disable */\nexport default ${JSON.stringify(recording.samples, null, 1)} as const satisfies ReadonlyArray<{ sender: readonly object[]; receiver: readonly object[] }>;\n`;
      writeFileSync(`${OUT}${name}-stats.ts`, text);
      console.log(`${name}: ${recording.userAgent}, ${recording.samples[0].sender.length} + ${recording.samples[0].receiver.length} reports`);
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}

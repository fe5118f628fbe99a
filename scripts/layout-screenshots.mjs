#!/usr/bin/env node
// Screenshots of <call-grid>'s layouts in the demo: npm run build:js && node scripts/layout-screenshots.mjs [dir]
// (default /tmp/meshcall-layouts). Alice voice-calls Bob (cards), then video-calls him (picture in
// picture), adds Carol (her ring; a grid of three), Bob pins Carol (spotlight), Alice shares her screen
// (presenter); the group also with its connection details shown. Each as Bob's page shows it at
// 1280x800 and 390x844, light and dark.
import { press, sleep, TIMEOUT, waitForCallState, withScreenshotSession } from './screenshot-session.mjs';

const waitForLayout = (page, layout) =>
  page.waitForFunction((expected) => document.querySelector('call-grid')?.shadowRoot?.querySelector('[part~=base]')?.dataset.layout === expected, { timeout: TIMEOUT }, layout);
const accept = async (page, button) => {
  await page.waitForSelector(`incoming-call >>> [part=${button}]`, { visible: true, timeout: TIMEOUT });
  await page.click(`incoming-call >>> [part=${button}]`);
};

await withScreenshotSession(process.argv[2] ?? '/tmp/meshcall-layouts', async ({ base, open, shots }) => {
  const alice = await open('alice', `${base}/?user=alice&conversation=dm-alice-bob`);
  const bob = await open('bob', `${base}/?user=bob`);
  const carol = await open('carol', `${base}/?user=carol`);
  await Promise.all([alice, bob, carol].map((page) => waitForCallState(page, 'idle')));

  console.log('- a voice call');
  await alice.click('#voice-call');
  await accept(bob, 'accept-button');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await waitForLayout(bob, 'cards');
  await press(bob, 'media-controls >>> [part=microphone-button]');
  await shots(bob, 'voice');
  await press(bob, 'media-controls >>> [part=microphone-button]');
  await press(bob, 'media-controls >>> [part=hangup-button]');
  await Promise.all([waitForCallState(alice, 'idle'), waitForCallState(bob, 'idle')]);

  console.log('- a video call of two');
  await alice.click('#video-call');
  await accept(bob, 'accept-video-button');
  await Promise.all([waitForCallState(alice, 'active'), waitForCallState(bob, 'active')]);
  await waitForLayout(bob, 'pip');
  await sleep(1500);
  await shots(bob, 'video-1to1');

  console.log('- three people');
  await press(alice, '#add-person');
  await alice.waitForSelector('#add-person-menu [data-user=carol]', { visible: true });
  await press(alice, '#add-person-menu [data-user=carol]');
  await carol.waitForSelector('incoming-call >>> [part=base]', { visible: true, timeout: TIMEOUT });
  await shots(carol, 'incoming');
  await accept(carol, 'accept-video-button');
  await waitForLayout(bob, 'grid');
  await sleep(2000);
  await shots(bob, 'group-3');
  await press(bob, '#call-stats-toggle');
  await sleep(2500);
  await shots(bob, 'group-3-stats');
  await press(bob, '#call-stats-toggle');

  console.log('- Bob pins Carol');
  const carolId = await bob.evaluate(() => [...document.querySelector('call-grid').shadowRoot.querySelectorAll('[part~=tile]')].find((tile) => tile.getAttribute('aria-label').startsWith('Carol'))?.dataset.participantId);
  await press(bob, `call-grid >>> [data-participant-id="${carolId}"] [part~=pin]`);
  await waitForLayout(bob, 'spotlight');
  await shots(bob, 'group-3-pinned');
  await press(bob, `call-grid >>> [data-participant-id="${carolId}"] [part~=pin]`);

  console.log('- Alice presents');
  await press(alice, 'media-controls >>> [part=screen-share-button]');
  await waitForLayout(bob, 'presenter');
  await sleep(1500);
  await shots(bob, 'presenter');
});

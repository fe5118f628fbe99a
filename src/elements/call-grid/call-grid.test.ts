import { aTimeout, expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../define.js';
import { CallController, type ConnectionStats } from '../../controller/index.js';
import { FakeController, participant } from '../../../test/support/fake-controller.js';
import { waitForNewFrames } from '../../../test/support/media.js';
import { peerServer } from '../../../test/support/peer-server.js';
import type { CallGrid } from './call-grid.js';

/** A fake whose user has a two-word name, to tell the initials apart from the name. */
const fakeController = () => new FakeController({ id: 'me', name: 'Me Myself' });

async function fakeGrid(): Promise<{ el: CallGrid; fake: FakeController }> {
  const fake = fakeController();
  const el = await fixture<CallGrid>(html`<call-grid .controller=${fake}></call-grid>`);
  return { el, fake };
}

const parts = (el: CallGrid, part: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${part}"]`)];
const tileOf = (el: CallGrid, id: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="tile"][data-participant-id="${CSS.escape(id)}"]`);
/** Columns as laid out: how many tiles share the first row. */
const columnCount = (el: CallGrid) => {
  const tops = parts(el, 'tile').map((tile) => Math.round(tile.getBoundingClientRect().top));
  return tops.filter((top) => top === tops[0]).length;
};

/** The tiles' rectangles grouped into rows, top to bottom, each row left to right. */
function rowsOf(el: CallGrid): DOMRect[][] {
  const rows = new Map<number, DOMRect[]>();
  for (const tile of parts(el, 'tile')) {
    const rect = tile.getBoundingClientRect();
    const top = Math.round(rect.top);
    rows.set(top, [...(rows.get(top) ?? []), rect]);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row.sort((a, b) => a.left - b.left));
}

/** Remote participants with the camera on (no stream: their tiles show a placeholder), so the grid is a video layout. */
const videoRemotes = (count: number) => Array.from({ length: count }, (_, i) => participant(`p${i}`, { cameraEnabled: true }));

async function gridWith(count: number, width: string): Promise<CallGrid> {
  const { el, fake } = await fakeGrid();
  el.style.width = width;
  fake.enter(count === 1 ? 'outgoing' : 'active', { remotes: videoRemotes(count - 1) });
  await el.updateComplete;
  return el;
}

/** Checks that every row is centred in the grid and that all tiles have the first tile's size. */
function expectRowsCentred(el: CallGrid, rowLengths: number[]): void {
  const grid = parts(el, 'base')[0].getBoundingClientRect();
  const rows = rowsOf(el);
  expect(rows.map((row) => row.length)).to.deep.equal(rowLengths);
  const [first] = rows[0];
  const gap = rows[0].length > 1 ? rows[0][1].left - first.right : 0;
  for (const row of rows) {
    for (const [i, rect] of row.entries()) {
      expect(rect.width).to.be.closeTo(first.width, 0.5);
      expect(rect.height).to.be.closeTo(first.height, 0.5);
      if (i > 0) expect(rect.left - row[i - 1].right).to.be.closeTo(gap, 0.5);
    }
    const leftMargin = row[0].left - grid.left;
    const rightMargin = grid.right - row[row.length - 1].right;
    expect(leftMargin).to.be.closeTo(rightMargin, 0.5);
  }
  // Full rows span the grid.
  expect(first.left).to.be.closeTo(grid.left, 0.5);
}

function canvasStream(): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#3a6';
  context.fillRect(0, 0, 64, 36);
  return canvas.captureStream(10);
}

describe('<call-grid> with a fake controller', () => {
  it('shows nothing but the empty slot when there is no call', async () => {
    const el = await fixture<CallGrid>(html`
      <call-grid .controller=${fakeController()}><p slot="empty">No call</p></call-grid>
    `);
    expect(parts(el, 'base')).to.have.length(0);
    const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="empty"]')!;
    expect(slot.assignedElements().map((e) => e.textContent)).to.deep.equal(['No call']);
    await expect(el).to.be.accessible();
  });

  it('stays empty while a call is only ringing us', async () => {
    const { el, fake } = await fakeGrid();
    fake.ring('Caller');
    await el.updateComplete;
    expect(parts(el, 'tile')).to.have.length(0);
  });

  const layouts: Array<[number, number]> = [
    [1, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [6, 3],
    [7, 3],
    [8, 3],
    [9, 3],
  ];
  for (const [count, columns] of layouts) {
    it(`lays out ${count} tile(s) in ${columns} column(s)`, async () => {
      const { el, fake } = await fakeGrid();
      el.style.width = '960px';
      fake.enter(count === 1 ? 'outgoing' : 'active', { remotes: videoRemotes(count - 1) });
      await el.updateComplete;
      expect(parts(el, 'tile')).to.have.length(count);
      expect(parts(el, 'video')).to.have.length(count);
      expect(columnCount(el)).to.equal(columns);
    });
  }

  const centredRows: Array<[number, number[]]> = [
    [3, [2, 1]],
    [5, [3, 2]],
    [6, [3, 3]],
    [7, [3, 3, 1]],
    [8, [3, 3, 2]],
  ];
  for (const [count, rowLengths] of centredRows) {
    it(`centres an incomplete last row: ${count} tiles in rows of ${rowLengths.join(', ')}`, async () => {
      const el = await gridWith(count, '960px');
      expectRowsCentred(el, rowLengths);
      const [firstRow, ...otherRows] = rowsOf(el);
      const lastRow = otherRows[otherRows.length - 1];
      if (lastRow.length < firstRow.length) {
        // Half a tile (and half a gap) in for each missing tile.
        const step = firstRow[1].left - firstRow[0].left;
        const missing = firstRow.length - lastRow.length;
        expect(lastRow[0].left - firstRow[0].left).to.be.closeTo((step * missing) / 2, 0.5);
      }
    });
  }

  for (const [count, rowLengths] of [
    [3, [2, 1]],
    [4, [2, 2]],
    [5, [2, 2, 1]],
    [7, [2, 2, 2, 1]],
  ] as Array<[number, number[]]>) {
    it(`centres an incomplete last row on a narrow host: ${count} tiles`, async () => {
      const el = await gridWith(count, '320px');
      expectRowsCentred(el, rowLengths);
    });
  }

  it('re-centres as participants join and leave', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '960px';
    const everyone = videoRemotes(8);
    const layouts: Array<[number, number[]]> = [
      [3, [2, 1]],
      [4, [2, 2]],
      [5, [3, 2]],
      [7, [3, 3, 1]],
      [6, [3, 3]],
      [9, [3, 3, 3]],
      [8, [3, 3, 2]],
      [3, [2, 1]],
    ];
    for (const [count, rowLengths] of layouts) {
      fake.enter('active', { remotes: everyone.slice(0, count - 1) });
      await el.updateComplete;
      expectRowsCentred(el, rowLengths);
    }
    // Then the host narrows and widens again.
    el.style.width = '320px';
    expectRowsCentred(el, [2, 1]);
    el.style.width = '960px';
    expectRowsCentred(el, [2, 1]);
  });

  it('fills a host with a set height when the tile aspect ratio is auto, the last row centred', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '900px';
    el.style.height = '500px';
    el.style.setProperty('--meshcall-tile-aspect-ratio', 'auto');
    el.style.setProperty('--meshcall-grid-gap', '10px');
    fake.enter('active', { remotes: videoRemotes(4) });
    await el.updateComplete;
    expectRowsCentred(el, [3, 2]);
    const rows = rowsOf(el);
    const host = el.getBoundingClientRect();
    expect(rows[0][0].top).to.be.closeTo(host.top, 0.5);
    expect(rows[1][0].bottom).to.be.closeTo(host.bottom, 0.5);
    expect(rows[0][0].height).to.be.closeTo(245, 0.5);
    expect(rows[0][0].width).to.be.closeTo((900 - 20) / 3, 0.5);
  });

  it("takes a page's custom properties set on an ancestor", async () => {
    const fake = fakeController();
    const page = await fixture<HTMLElement>(html`
      <div style="--meshcall-tile-background: rgb(1, 2, 3); --meshcall-tile-radius: 3px">
        <call-grid .controller=${fake}></call-grid>
      </div>
    `);
    const el = page.querySelector('call-grid')!;
    fake.enter('active', { remotes: [participant('bob')] });
    await el.updateComplete;
    const tile = getComputedStyle(tileOf(el, 'bob')!);
    expect(tile.backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(tile.borderTopLeftRadius).to.equal('3px');
  });

  it('keeps 16:9 tiles by default', async () => {
    const el = await gridWith(5, '960px');
    for (const row of rowsOf(el)) {
      for (const rect of row) expect(rect.width / rect.height).to.be.closeTo(16 / 9, 0.02);
    }
  });

  it('lets the other person of a call of two fill a host given a height, as a phone screen is', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '360px';
    el.style.height = '640px';
    fake.enter('active', { local: { cameraEnabled: true }, remotes: [participant('bob', { name: 'Bob', cameraEnabled: true })] });
    await el.updateComplete;
    const bob = tileOf(el, 'bob')!.getBoundingClientRect();
    expect(bob.width).to.be.closeTo(360, 0.5);
    expect(bob.height, 'the full height, not a 16:9 strip').to.be.closeTo(640, 0.5);
    el.style.height = '';
    expect(tileOf(el, 'bob')!.getBoundingClientRect().height, 'without a height: the tile\'s aspect ratio').to.be.closeTo((360 * 9) / 16, 0.5);
  });

  for (const width of ['960px', '360px']) {
    it(`shows a video call of two as the other person large and oneself small in a corner (${width})`, async () => {
      const { el, fake } = await fakeGrid();
      el.style.width = width;
      fake.enter('active', { local: { cameraEnabled: true }, remotes: [participant('bob', { name: 'Bob', cameraEnabled: true })] });
      await el.updateComplete;
      expect(parts(el, 'base')[0].dataset.layout).to.equal('pip');
      const host = el.getBoundingClientRect();
      const bob = tileOf(el, 'bob')!.getBoundingClientRect();
      const me = tileOf(el, 'me')!.getBoundingClientRect();
      expect(bob.width, 'the other person fills the width').to.be.closeTo(host.width, 0.5);
      expect(me.width, 'oneself is small').to.be.below(host.width / 3 + 1);
      expect(me.right, 'in the right-hand corner').to.be.closeTo(bob.right - 12, 1);
      expect(me.bottom, 'at the bottom').to.be.closeTo(bob.bottom - 12, 1);
      const [myVideo] = parts(el, 'video') as HTMLVideoElement[];
      expect(myVideo.muted).to.be.true;
      expect(getComputedStyle(myVideo).transform, 'mirrored').to.equal('matrix(-1, 0, 0, 1, 0, 0)');
      // The corner tile is drawn above the large one (which comes after it in the document).
      const corner = getComputedStyle(tileOf(el, 'me')!);
      expect(corner.position).to.equal('absolute');
      expect(Number(corner.zIndex)).to.be.above(0);
      await expect(el).to.be.accessible();
    });
  }

  it('shows a voice call as compact cards with picture or initials, name and microphone state', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '960px';
    fake.setProfile('bob', { avatarUrl: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' });
    fake.enter('active', { video: false, remotes: [participant('bob', { name: 'Bob' }), participant('carol', { name: 'Carol Danvers', microphoneEnabled: false })] });
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('cards');
    const tiles = parts(el, 'tile');
    for (const tile of tiles) {
      const box = tile.getBoundingClientRect();
      expect(box.width, 'a card, not a 960px-wide frame').to.be.below(200);
      expect(box.width / box.height).to.be.closeTo(1, 0.05);
      expect(getComputedStyle(tile.querySelector('video')!).visibility, 'no empty video frame').to.equal('hidden');
    }
    expect(rowsOf(el), 'side by side').to.have.length(1);
    expect(tileOf(el, 'bob')!.querySelector('[part~="avatar-image"]')).to.not.be.null;
    expect(tileOf(el, 'carol')!.querySelector('.avatar')!.textContent!.trim()).to.equal('CD');
    expect(parts(el, 'name').map((name) => name.textContent)).to.deep.equal(['Me Myself (you)', 'Bob', 'Carol Danvers']);
    expect(tileOf(el, 'carol')!.querySelector('[part~="mic-off"]')!.getAttribute('aria-label')).to.equal('Microphone off');
    expect(parts(el, 'camera-off'), 'every camera is off in a voice call: no need to say so on each card').to.have.length(0);
    expect(parts(el, 'pin'), 'nothing to pin in a voice call').to.have.length(0);
    expect(parts(el, 'fullscreen'), 'nor to see full screen').to.have.length(0);
    await expect(el).to.be.accessible();

    // Someone turning a camera on makes it a video layout, with the same <video> elements.
    const videos = parts(el, 'video');
    const bob = fake.call!.participants.get('bob')!;
    bob.cameraEnabled = true;
    fake.changed(bob);
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('grid');
    expect(parts(el, 'video')).to.deep.equal(videos);
  });

  it('pins a participant from their tile: shown large above the others, with a cancelable call-grid-pin', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '960px';
    fake.enter('active', { local: { cameraEnabled: true }, remotes: videoRemotes(3) });
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('grid');
    const videos = parts(el, 'video');
    const pinOf = (id: string) => tileOf(el, id)!.querySelector<HTMLButtonElement>('[part~="pin"]')!;
    expect(parts(el, 'pin')).to.have.length(4);
    expect(pinOf('p1').getAttribute('aria-pressed')).to.equal('false');
    expect(pinOf('p1').getAttribute('aria-label')).to.equal('Pin p1');
    expect(pinOf('me').getAttribute('aria-label')).to.equal('Pin yourself');

    const events: Array<string | null> = [];
    el.addEventListener('call-grid-pin', (event) => events.push(event.participantId));
    pinOf('p1').click();
    await el.updateComplete;
    expect(events).to.deep.equal(['p1']);
    expect(el.pinned).to.equal('p1');
    expect(el.getAttribute('pinned')).to.equal('p1');
    expect(parts(el, 'base')[0].dataset.layout).to.equal('spotlight');
    expect(pinOf('p1').getAttribute('aria-pressed')).to.equal('true');
    const large = tileOf(el, 'p1')!.getBoundingClientRect();
    expect(large.width).to.be.closeTo(960, 1);
    for (const id of ['me', 'p0', 'p2']) {
      const small = tileOf(el, id)!.getBoundingClientRect();
      expect(small.top, `${id} below the pinned one`).to.be.at.least(large.bottom);
      expect(small.width).to.be.below(large.width / 3);
    }
    expect(parts(el, 'video'), 'the same <video> elements').to.deep.equal(videos);
    await expect(el).to.be.accessible();

    // A cancelled pin changes nothing.
    el.addEventListener('call-grid-pin', (event) => event.preventDefault(), { once: true });
    pinOf('p2').click();
    await el.updateComplete;
    expect(events).to.deep.equal(['p1', 'p2']);
    expect(el.pinned).to.equal('p1');

    pinOf('p1').click();
    await el.updateComplete;
    expect(events).to.deep.equal(['p1', 'p2', null]);
    expect(el.pinned).to.equal(null);
    expect(parts(el, 'base')[0].dataset.layout).to.equal('grid');

    // The page pins through the attribute, without an event.
    el.setAttribute('pinned', 'p0');
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('spotlight');
    expect(tileOf(el, 'p0')!.getBoundingClientRect().width).to.be.closeTo(960, 1);
    expect(events).to.have.length(3);
    // A pinned participant who leaves: the grid again.
    fake.enter('active', { local: { cameraEnabled: true }, remotes: videoRemotes(3).filter((remote) => remote.id !== 'p0') });
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('grid');
  });

  it('pinning oneself in a call of two swaps the large tile and the corner', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '960px';
    fake.enter('active', { local: { cameraEnabled: true }, remotes: [participant('bob', { cameraEnabled: true })] });
    await el.updateComplete;
    tileOf(el, 'me')!.querySelector<HTMLButtonElement>('[part~="pin"]')!.click();
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('pip');
    expect(tileOf(el, 'me')!.getBoundingClientRect().width).to.be.closeTo(960, 1);
    expect(tileOf(el, 'bob')!.getBoundingClientRect().width).to.be.below(330);
  });

  it('offers full screen where the Fullscreen API exists, and asks for it on the grid', async () => {
    const { el, fake } = await fakeGrid();
    fake.enter('active', { local: { cameraEnabled: true }, remotes: [participant('bob', { cameraEnabled: true })] });
    await el.updateComplete;
    const [button] = parts(el, 'fullscreen');
    expect(button.getAttribute('aria-label')).to.equal('Full screen');
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    let requested: Element | null = null;
    el.requestFullscreen = function (this: Element) {
      requested = this;
      return Promise.resolve();
    };
    button.click();
    expect(requested).to.equal(el);
    delete (el as Partial<CallGrid>).requestFullscreen;

    // Without the API (iPhone Safari), no button.
    const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'fullscreenEnabled')!;
    Object.defineProperty(document, 'fullscreenEnabled', { configurable: true, get: () => false });
    try {
      el.requestUpdate();
      await el.updateComplete;
      expect(parts(el, 'fullscreen')).to.have.length(0);
    } finally {
      delete (document as { fullscreenEnabled?: boolean }).fullscreenEnabled;
    }
    expect(Object.getOwnPropertyDescriptor(Document.prototype, 'fullscreenEnabled')).to.deep.equal(descriptor);
  });

  it('says "Camera off" and "Microphone off" on video tiles, white on solid colours', async () => {
    const { el, fake } = await fakeGrid();
    fake.enter('active', { local: { cameraEnabled: true }, remotes: [participant('bob', { microphoneEnabled: false }), participant('carol', { cameraEnabled: true })] });
    await el.updateComplete;
    const cameraOff = parts(el, 'camera-off');
    expect(cameraOff).to.have.length(1);
    expect(tileOf(el, 'bob')!.contains(cameraOff[0])).to.be.true;
    expect(cameraOff[0].getAttribute('role')).to.equal('img');
    expect(cameraOff[0].getAttribute('aria-label')).to.equal('Camera off');
    const [micOff] = parts(el, 'mic-off');
    expect(tileOf(el, 'bob')!.contains(micOff)).to.be.true;
    expect(getComputedStyle(micOff).backgroundColor).to.equal('rgb(198, 40, 40)');
    expect(getComputedStyle(micOff).color).to.equal('rgb(255, 255, 255)');
    expect(getComputedStyle(cameraOff[0]).backgroundColor).to.not.equal(getComputedStyle(micOff).backgroundColor);
    await expect(el).to.be.accessible();
  });

  it('puts the local tile first, muted and mirrored, then the remote ones', async () => {
    const { el, fake } = await fakeGrid();
    fake.enter('active', { remotes: [participant('bob', { name: 'Bob Builder' }), participant('carol', { name: 'Carol' })] });
    await el.updateComplete;
    const tiles = parts(el, 'tile');
    expect(tiles.map((tile) => tile.dataset.participantId)).to.deep.equal(['me', 'bob', 'carol']);
    expect(tiles.map((tile) => tile.getAttribute('aria-label'))).to.deep.equal(['Me Myself (you)', 'Bob Builder', 'Carol']);
    expect(parts(el, 'name').map((name) => name.textContent)).to.deep.equal(['Me Myself (you)', 'Bob Builder', 'Carol']);
    expect(parts(el, 'base')[0].getAttribute('role')).to.equal('list');
    expect(tiles.every((tile) => tile.getAttribute('role') === 'listitem')).to.be.true;

    const [local, bob] = parts(el, 'video') as HTMLVideoElement[];
    expect(local.muted).to.be.true;
    expect(local.autoplay).to.be.true;
    expect(local.hasAttribute('playsinline')).to.be.true;
    expect(getComputedStyle(local).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    expect(bob.muted, 'the controller plays the sound, not the tile').to.be.true;
    expect(bob.autoplay).to.be.true;
    expect(bob.hasAttribute('playsinline')).to.be.true;
    expect(getComputedStyle(bob).transform).to.equal('none');
    await expect(el).to.be.accessible();
  });

  it('shows the mic-off indicator with an accessible label', async () => {
    const { el, fake } = await fakeGrid();
    const bob = participant('bob', { microphoneEnabled: false });
    fake.enter('active', { remotes: [bob, participant('carol')] });
    await el.updateComplete;
    const indicators = parts(el, 'mic-off');
    expect(indicators).to.have.length(1);
    expect(tileOf(el, 'bob')!.contains(indicators[0])).to.be.true;
    expect(indicators[0].getAttribute('role')).to.equal('img');
    expect(indicators[0].getAttribute('aria-label')).to.equal('Microphone off');

    bob.microphoneEnabled = true;
    fake.changed(bob);
    await el.updateComplete;
    expect(parts(el, 'mic-off')).to.have.length(0);
  });

  it('shows each tile\'s network quality as bars with a text label, the local one as "your network"', async () => {
    const { el, fake } = await fakeGrid();
    const bob = participant('bob', { networkQuality: 'excellent' });
    const carol = participant('carol', { networkQuality: null });
    fake.enter('active', { remotes: [bob, carol], local: { networkQuality: 'good' } });
    await el.updateComplete;
    const indicatorOf = (id: string) => tileOf(el, id)!.querySelector<HTMLElement>('[part~="network-quality"]');
    expect(indicatorOf('carol'), 'not measured yet').to.equal(null);
    const local = indicatorOf('me')!;
    expect(local.getAttribute('role')).to.equal('img');
    expect(local.getAttribute('aria-label')).to.equal('Your network: good');
    expect(local.getAttribute('part')).to.include('network-quality-good');
    const lit = (indicator: HTMLElement) => indicator.querySelectorAll('.bar--lit').length;
    expect(lit(local)).to.equal(2);
    expect(indicatorOf('bob')!.getAttribute('aria-label')).to.equal('Network: excellent');
    expect(lit(indicatorOf('bob')!)).to.equal(3);

    bob.networkQuality = 'poor';
    fake.changed(bob);
    await el.updateComplete;
    expect(indicatorOf('bob')!.getAttribute('aria-label')).to.equal('Network: poor');
    expect(lit(indicatorOf('bob')!)).to.equal(1);
    // Poor is orange, lost red, and the colours differ from good's.
    const colourOfLit = (indicator: HTMLElement) => getComputedStyle(indicator.querySelector('.bar--lit, .bar')!).fill;
    const poorColour = colourOfLit(indicatorOf('bob')!);
    expect(poorColour).to.not.equal(colourOfLit(local));
    bob.networkQuality = 'lost';
    fake.changed(bob);
    await el.updateComplete;
    expect(lit(indicatorOf('bob')!)).to.equal(0);
    expect(colourOfLit(indicatorOf('bob')!)).to.not.equal(poorColour);
  });

  it('says "video paused: poor connection" instead of the video while the sender paused it', async () => {
    const { el, fake } = await fakeGrid();
    const bob = participant('bob', { cameraEnabled: true, videoPaused: true });
    fake.enter('active', { remotes: [bob] });
    await el.updateComplete;
    const tile = tileOf(el, 'bob')!;
    expect(tile.querySelector('[part~="video-paused"]')?.textContent?.trim()).to.equal('Video paused: poor connection');
    expect(tile.querySelector('[part~="placeholder"]')).to.exist;
    expect(tile.querySelector('video')!.classList.contains('video--covered')).to.be.true;

    bob.videoPaused = false;
    fake.changed(bob);
    await el.updateComplete;
    expect(tile.querySelector('[part~="video-paused"]')).to.equal(null);
    // A camera turned off is no pause.
    bob.videoPaused = true;
    bob.cameraEnabled = false;
    fake.changed(bob);
    await el.updateComplete;
    expect(tile.querySelector('[part~="video-paused"]')).to.equal(null);
  });

  it('shows initials on a colour derived from the id while the camera is off', async () => {
    const { el, fake } = await fakeGrid();
    const stream = canvasStream();
    const bob = participant('bob', { name: 'Bob Builder', cameraEnabled: true, stream });
    const mary = participant('mary', { name: 'Mary Ann Lee' });
    fake.enter('active', { remotes: [bob, participant('carol', { name: 'carol' }), mary] });
    await el.updateComplete;
    expect(tileOf(el, 'bob')!.querySelector('[part~="placeholder"]')).to.be.null;
    const carolPlaceholder = tileOf(el, 'carol')!.querySelector('[part~="placeholder"]')!;
    expect(carolPlaceholder.textContent!.trim()).to.equal('C');
    const maryPlaceholder = tileOf(el, 'mary')!.querySelector('[part~="placeholder"]')!;
    expect(maryPlaceholder.textContent!.trim(), 'first and last initial').to.equal('ML');
    // No stream at all for the local user yet: a placeholder too.
    expect(tileOf(el, 'me')!.querySelector('[part~="placeholder"]')!.textContent!.trim()).to.equal('MM');

    bob.cameraEnabled = false;
    fake.changed(bob);
    await el.updateComplete;
    const bobPlaceholder = tileOf(el, 'bob')!.querySelector<HTMLElement>('[part~="placeholder"]')!;
    expect(bobPlaceholder.textContent!.trim()).to.equal('BB');
    const colour = (tile: HTMLElement) => getComputedStyle(tile.querySelector('.avatar')!).backgroundColor;
    expect(colour(tileOf(el, 'bob')!)).to.not.equal(colour(tileOf(el, 'carol')!));
    // The video stays (it plays bob's audio), hidden under the placeholder.
    const video = tileOf(el, 'bob')!.querySelector('video')!;
    expect(video.srcObject).to.equal(stream);
    expect(getComputedStyle(video).visibility).to.equal('hidden');
    stream.getTracks().forEach((track) => track.stop());
  });

  it('shows a placeholder when the camera is on but the stream has no live video track', async () => {
    const { el, fake } = await fakeGrid();
    fake.enter('active', { remotes: [participant('bob', { cameraEnabled: true, stream: new MediaStream() })] });
    await el.updateComplete;
    expect(tileOf(el, 'bob')!.querySelector('[part~="placeholder"]')).to.exist;
  });

  it('overlays "Ringing…" and "Connecting…"', async () => {
    const { el, fake } = await fakeGrid();
    const bob = participant('bob', { state: 'ringing' });
    fake.enter('outgoing', { remotes: [bob, participant('carol', { state: 'connecting' }), participant('dave')] });
    await el.updateComplete;
    expect(tileOf(el, 'bob')!.querySelector('[part~="status"]')!.textContent).to.equal('Ringing…');
    expect(tileOf(el, 'carol')!.querySelector('[part~="status"]')!.textContent).to.equal('Connecting…');
    expect(tileOf(el, 'dave')!.querySelector('[part~="status"]')).to.be.null;
    expect(tileOf(el, 'me')!.querySelector('[part~="status"]')).to.be.null;

    bob.state = 'connecting';
    fake.changed(bob);
    await el.updateComplete;
    expect(tileOf(el, 'bob')!.querySelector('[part~="status"]')!.textContent).to.equal('Connecting…');
    await expect(el).to.be.accessible();
  });

  it('keeps each <video> element and its srcObject across re-renders and reorders', async () => {
    const { el, fake } = await fakeGrid();
    const bobStream = canvasStream();
    const bob = participant('bob', { cameraEnabled: true, stream: bobStream });
    const carol = participant('carol');
    fake.enter('active', { remotes: [bob, carol] });
    await el.updateComplete;
    const bobVideo = tileOf(el, 'bob')!.querySelector('video')!;
    let assignments = 0;
    const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
    Object.defineProperty(bobVideo, 'srcObject', {
      configurable: true,
      get: () => descriptor.get!.call(bobVideo),
      set: (value) => {
        assignments += 1;
        descriptor.set!.call(bobVideo, value);
      },
    });

    bob.microphoneEnabled = false;
    fake.changed(bob);
    await el.updateComplete;
    // carol leaves, then dave joins before bob: bob's tile moves but keeps its element.
    fake.enter('active', { remotes: [participant('dave'), bob] });
    await el.updateComplete;
    expect(tileOf(el, 'bob')!.querySelector('video')).to.equal(bobVideo);
    expect(parts(el, 'tile').map((tile) => tile.dataset.participantId)).to.deep.equal(['me', 'dave', 'bob']);
    expect(assignments).to.equal(0);

    const replacement = canvasStream();
    bob.stream = replacement;
    fake.changed(bob);
    await el.updateComplete;
    expect(assignments).to.equal(1);
    expect(bobVideo.srcObject).to.equal(replacement);
    [bobStream, replacement].forEach((stream) => stream.getTracks().forEach((track) => track.stop()));
  });

  it('fits a call of three in the strip under a shared screen at phone width', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '362px';
    const alice = participant('alice', { name: 'Alice', cameraEnabled: true, stream: new MediaStream() });
    alice.screenStream = new MediaStream();
    fake.enter('active', { local: { stream: new MediaStream() }, remotes: [alice, participant('bob', { name: 'Bob' })] });
    await el.updateComplete;
    const host = el.getBoundingClientRect();
    const [row] = rowsOf(el);
    expect(row, 'one row of three').to.have.length(3);
    for (const tile of row) {
      expect(tile.left).to.be.at.least(host.left - 0.5);
      expect(tile.right, 'within the screen, not scrolled off it').to.be.at.most(host.right + 0.5);
    }
  });

  it('lays out a shared screen large with the presenter named, the tiles in a strip, and goes back to the grid', async () => {
    const { el, fake } = await fakeGrid();
    el.style.width = '960px';
    const alice = participant('alice', { name: 'Alice', cameraEnabled: true, stream: new MediaStream() });
    const bob = participant('bob', { name: 'Bob' });
    fake.enter('active', { local: { stream: new MediaStream() }, remotes: [alice, bob] });
    await el.updateComplete;
    expect(parts(el, 'stage')).to.have.length(0);
    const videos = parts(el, 'video');
    const grid = parts(el, 'base')[0];

    alice.screenStream = new MediaStream();
    fake.changed(alice);
    await el.updateComplete;
    const [stage] = parts(el, 'stage');
    expect(stage.getAttribute('aria-label')).to.equal('Alice is presenting');
    expect(parts(el, 'presenter')[0].textContent).to.equal('Alice is presenting');
    const screen = parts(el, 'screen')[0] as HTMLVideoElement;
    expect(screen.srcObject).to.equal(alice.screenStream);
    expect(screen.muted).to.equal(true);
    expect(getComputedStyle(screen).objectFit, 'a screen is never cropped').to.equal('contain');
    // The strip: one row of small tiles below the stage, each keeping its <video>.
    const rows = rowsOf(el);
    expect(rows, 'one row').to.have.length(1);
    expect(rows[0][0].top).to.be.at.least(stage.getBoundingClientRect().bottom);
    expect(rows[0][0].width).to.be.below(stage.getBoundingClientRect().width / 3);
    // As wide as a 16:9 screen of the largest height (65vh by default), centred.
    const stageBox = stage.getBoundingClientRect();
    expect(stageBox.width).to.be.closeTo(Math.min(960, ((innerHeight * 0.65) * 16) / 9), 1);
    expect(stageBox.left - el.getBoundingClientRect().left).to.be.closeTo((960 - stageBox.width) / 2, 1);
    el.style.setProperty('--meshcall-stage-max-height', 'none');
    expect(stage.getBoundingClientRect().width, 'the whole width without a cap').to.be.closeTo(960, 1);
    expect(parts(el, 'video')).to.deep.equal(videos);
    expect(parts(el, 'base')[0]).to.equal(grid);
    // The full-screen button sits in the stage's corner, clear of the caption.
    const [fullscreen] = parts(el, 'fullscreen');
    expect(stage.contains(fullscreen)).to.be.true;
    const caption = parts(el, 'presenter')[0].getBoundingClientRect();
    expect(fullscreen.getBoundingClientRect().left).to.be.above(caption.right);
    await expect(el).to.be.accessible();

    // Our own share shows only while nobody else presents.
    fake.call!.local.screenStream = new MediaStream();
    fake.changed(fake.call!.local);
    await el.updateComplete;
    expect(parts(el, 'presenter')[0].textContent).to.equal('Alice is presenting');
    alice.screenStream = null;
    fake.changed(alice);
    await el.updateComplete;
    expect(parts(el, 'presenter')[0].textContent).to.equal('You are presenting');

    fake.call!.local.screenStream = null;
    fake.changed(fake.call!.local);
    await el.updateComplete;
    expect(parts(el, 'stage')).to.have.length(0);
    expect(columnCount(el), 'the grid again').to.equal(2);
    expect(parts(el, 'video')).to.deep.equal(videos);
  });

  it('offers to enable sound while the browser blocks it, and asks the controller on a click', async () => {
    const { el, fake } = await fakeGrid();
    fake.enter('active', { remotes: [participant('bob')] });
    await el.updateComplete;
    expect(parts(el, 'enable-sound')).to.have.length(0);
    fake.setAudioBlocked(true);
    await el.updateComplete;
    const [button] = parts(el, 'enable-sound');
    expect(button.textContent).to.contain('enable sound');
    await expect(el).to.be.accessible();
    button.click();
    expect(fake.calls).to.deep.equal([['resumeAudio']]);
    await el.updateComplete;
    expect(parts(el, 'enable-sound')).to.have.length(0);
  });

  it('empties when the call ends', async () => {
    const { el, fake } = await fakeGrid();
    fake.enter('active', { remotes: [participant('bob')] });
    await el.updateComplete;
    expect(parts(el, 'tile')).to.have.length(2);
    fake.setState('ending', null);
    await el.updateComplete;
    expect(parts(el, 'tile')).to.have.length(0);
  });
});

// ---- real controllers ----


const SAMPLE: ConnectionStats = {
  timestamp: 1000,
  intervalMs: 1000,
  rttMs: 12.4,
  availableOutgoingBitrate: null,
  sendBitrate: 500_000,
  receiveBitrate: 1_234_000,
  videoSendBitrate: 450_000,
  jitterMs: 3,
  lossRatio: 0.012,
  remoteLossRatio: 0,
  freshRemoteLossRatio: 0,
  remoteJitterMs: 3,
  qualityLimitationReason: null,
  framesSent: 100,
  framesReceived: 100,
  framesDecoded: 100,
  sentVideo: null,
  receivedVideo: { width: 640, height: 360, framesPerSecond: 24 },
  freezeCount: 0,
  totalFreezesDuration: 0,
  concealmentRatio: 0,
  audioLevel: 0.1,
  localAudioLevel: null,
  receiving: true,
  videoCodec: 'video/VP8',
};

describe('<call-grid> speaking, the speaker layout and the stats overlay, with a fake controller', () => {
  it('rings the tile of whoever speaks, says so, and never for a muted person', async () => {
    const { el, fake } = await fakeGrid();
    const bob = participant('bob', { cameraEnabled: true });
    fake.enter('active', { remotes: [bob] });
    await el.updateComplete;
    const ring = (id: string) => getComputedStyle(tileOf(el, id)!, '::after').opacity;
    expect(tileOf(el, 'bob')!.hasAttribute('data-speaking')).to.equal(false);
    expect(parts(el, 'speaking')).to.have.length(0);

    fake.setSpeaking(bob, true);
    fake.setSpeaking(fake.call!.local, true);
    await el.updateComplete;
    for (const id of ['bob', 'me']) {
      const tile = tileOf(el, id)!;
      expect(tile.getAttribute('part')).to.equal('tile tile-speaking');
      expect(tile.hasAttribute('data-speaking')).to.equal(true);
      expect(tile.getAttribute('aria-label')).to.match(/, speaking$/);
      expect(tile.querySelector('[part~="speaking"]')!.getAttribute('aria-label')).to.equal('Speaking');
    }
    await waitUntil(() => ring('bob') === '1', `ring opacity ${ring('bob')}`);
    await expect(el).to.be.accessible();

    // A muted person is never shown speaking, whatever a level said last.
    bob.microphoneEnabled = false;
    fake.changed(bob);
    await el.updateComplete;
    expect(tileOf(el, 'bob')!.hasAttribute('data-speaking')).to.equal(false);
    expect(tileOf(el, 'bob')!.querySelector('[part~="speaking"]')).to.equal(null);
    await waitUntil(() => ring('bob') === '0', `ring opacity ${ring('bob')}`);
  });

  it('shows the ring on the cards of a voice call too', async () => {
    const { el, fake } = await fakeGrid();
    const bob = participant('bob');
    fake.enter('active', { video: false, remotes: [bob, participant('carol')] });
    fake.setSpeaking(bob, true);
    await el.updateComplete;
    expect(parts(el, 'base')[0].dataset.layout).to.equal('cards');
    expect(tileOf(el, 'bob')!.getAttribute('part')).to.equal('tile tile-speaking');
    expect(tileOf(el, 'carol')!.getAttribute('part')).to.equal('tile');
  });

  it('with layout="speaker" shows the active speaker large, the first of the others before anyone spoke, and a pin over both', async () => {
    const fake = fakeController();
    const el = await fixture<CallGrid>(html`<call-grid .controller=${fake} layout="speaker" style="width: 800px"></call-grid>`);
    fake.enter('active', { remotes: videoRemotes(3) });
    await el.updateComplete;
    const base = () => parts(el, 'base')[0];
    const large = () => parts(el, 'tile').find((tile) => tile.classList.contains('tile--large'))?.dataset.participantId;
    expect(base().dataset.layout).to.equal('speaker');
    expect(large()).to.equal('p0');
    const strip = parts(el, 'tile').filter((tile) => !tile.classList.contains('tile--large'));
    expect(strip).to.have.length(3);
    expect(tileOf(el, 'p0')!.getBoundingClientRect().width).to.be.closeTo(800, 1);
    for (const tile of strip) expect(tile.getBoundingClientRect().top).to.be.above(tileOf(el, 'p0')!.getBoundingClientRect().bottom - 1);

    fake.setActiveSpeaker('p2');
    await el.updateComplete;
    expect(large()).to.equal('p2');

    el.pinned = 'p1';
    await el.updateComplete;
    expect(base().dataset.layout).to.equal('spotlight');
    expect(large()).to.equal('p1');
    el.pinned = null;
    await el.updateComplete;
    expect(large()).to.equal('p2');

    // Without the choice, a group is a grid whoever speaks.
    el.layout = 'auto';
    await el.updateComplete;
    expect(base().dataset.layout).to.equal('grid');
    expect(large()).to.equal(undefined);
    // A call of two stays picture-in-picture: the other person is the speaker anyway.
    el.layout = 'speaker';
    fake.enter('active', { remotes: videoRemotes(1) });
    await el.updateComplete;
    expect(base().dataset.layout).to.equal('pip');
  });

  it('with show-stats overlays each remote tile with its figures, refreshed at each sample', async () => {
    const fake = fakeController();
    const el = await fixture<CallGrid>(html`<call-grid .controller=${fake} show-stats></call-grid>`);
    const bob = participant('bob', { cameraEnabled: true });
    fake.enter('active', { remotes: [bob] });
    await el.updateComplete;
    expect(parts(el, 'stats'), 'before the first sample').to.have.length(0);
    fake.setStats('bob', SAMPLE);
    await el.updateComplete;
    const overlay = () => tileOf(el, 'bob')!.querySelector<HTMLElement>('[part~="stats"]')!;
    const rows = () => Object.fromEntries([...overlay().querySelectorAll('.stats-row')].map((row) => [row.querySelector('dt')!.textContent, row.querySelector('dd')!.textContent]));
    expect(rows()).to.deep.equal({
      Resolution: '640×360',
      'Frame rate': '24 fps',
      Bitrate: '1.2 Mbit/s',
      'Round trip': '12 ms',
      Loss: '1.2 %',
      Codec: 'VP8',
    });
    expect(tileOf(el, 'me')!.querySelector('[part~="stats"]'), 'no overlay on our own tile').to.equal(null);
    // Readable over video: light text on a dark plate.
    expect(getComputedStyle(overlay()).backgroundColor).to.equal('rgba(0, 0, 0, 0.7)');

    fake.setStats('bob', { ...SAMPLE, receivedVideo: { width: 320, height: 180, framesPerSecond: 12 }, receiveBitrate: 300_000 });
    await el.updateComplete;
    expect(rows().Resolution).to.equal('320×180');
    expect(rows().Bitrate).to.equal('300 kbit/s');
    await expect(el).to.be.accessible();

    el.showStats = false;
    await el.updateComplete;
    expect(parts(el, 'stats')).to.have.length(0);
  });
});

describe('<call-grid> with real controllers', () => {
  let alice: CallController;
  let bob: CallController;

  beforeEach(async () => {
    const server = await peerServer();
    const suffix = crypto.randomUUID().slice(0, 8);
    alice = new CallController();
    bob = new CallController();
    await Promise.all([
      alice.connect({ user: { id: `alice${suffix}`, name: 'Alice Liddell' }, server, iceServers: [] }),
      bob.connect({ user: { id: `bob${suffix}`, name: 'Bob Builder' }, server, iceServers: [] }),
    ]);
  });

  afterEach(async () => {
    await Promise.all([alice.disconnect(), bob.disconnect()]);
  });

  it("shows both participants and decodes the remote participant's video", async () => {
    const grid = await fixture<CallGrid>(html`<call-grid .controller=${alice}></call-grid>`);
    const ringing = new Promise((resolve) => bob.addEventListener('call-incoming', resolve, { once: true }));
    await alice.startCall({ conversationId: 'grid-test', participants: [bob.user!.id], video: true });
    await grid.updateComplete;
    // Bob's tile rings until he answers.
    expect(parts(grid, 'tile')).to.have.length(2);
    expect(tileOf(grid, bob.user!.id)!.querySelector('[part~="status"]')!.textContent).to.equal('Ringing…');

    await ringing;
    await bob.accept({ video: true });
    const bobTile = () => tileOf(grid, bob.user!.id)!;
    await waitUntil(
      () => alice.call?.participants.get(bob.user!.id)?.state === 'connected' && !bobTile().querySelector('[part~="status"]'),
      'bob never connected',
      { timeout: 15000 },
    );
    await grid.updateComplete;
    expect(parts(grid, 'tile').map((tile) => tile.dataset.participantId)).to.deep.equal([alice.user!.id, bob.user!.id]);
    const remoteVideo = bobTile().querySelector('video')!;
    expect(remoteVideo.muted).to.be.true;
    expect(remoteVideo.srcObject).to.equal(alice.call!.participants.get(bob.user!.id)!.stream);
    await waitForNewFrames(remoteVideo);
    expect(bobTile().querySelector('[part~="placeholder"]')).to.be.null;

    const localVideo = tileOf(grid, alice.user!.id)!.querySelector('video')!;
    expect(localVideo.muted).to.be.true;
    await waitForNewFrames(localVideo);
    await expect(grid).to.be.accessible();

    // Re-renders caused by call events keep the very same element playing.
    await alice.setMicrophoneEnabled(false);
    await grid.updateComplete;
    expect(bobTile().querySelector('video')).to.equal(remoteVideo);
    await aTimeout(0);
  });

  it('lays out a 1:1 video call as picture-in-picture with the remote video playing, and a voice call as cards', async () => {
    const grid = await fixture<CallGrid>(html`<call-grid .controller=${alice} style="width: 640px"></call-grid>`);
    const base = () => grid.shadowRoot!.querySelector<HTMLElement>('[part~="base"]');
    const bobTile = () => tileOf(grid, bob.user!.id)!;
    const ringing = new Promise((resolve) => bob.addEventListener('call-incoming', resolve, { once: true }));
    await alice.startCall({ conversationId: 'grid-pip', participants: [bob.user!.id], video: true });
    await ringing;
    await bob.accept({ video: true });
    await waitUntil(() => alice.call?.participants.get(bob.user!.id)?.state === 'connected', 'bob never connected', { timeout: 15000 });
    await grid.updateComplete;
    expect(base()!.dataset.layout).to.equal('pip');
    const remoteVideo = bobTile().querySelector('video')!;
    await waitForNewFrames(remoteVideo);
    expect(bobTile().getBoundingClientRect().width).to.be.closeTo(640, 1);
    expect(tileOf(grid, alice.user!.id)!.getBoundingClientRect().width).to.be.below(640 / 3);
    await alice.hangUp();
    await waitUntil(() => bob.state === 'idle' && alice.state === 'idle', 'the call never ended', { timeout: 10000 });

    const ringingAgain = new Promise((resolve) => bob.addEventListener('call-incoming', resolve, { once: true }));
    await alice.startCall({ conversationId: 'grid-voice', participants: [bob.user!.id], video: false });
    await ringingAgain;
    await bob.accept({ video: false });
    await waitUntil(() => alice.call?.participants.get(bob.user!.id)?.state === 'connected', 'bob never connected', { timeout: 15000 });
    await grid.updateComplete;
    expect(base()!.dataset.layout).to.equal('cards');
    expect(bobTile().getBoundingClientRect().width).to.be.below(200);
    expect(parts(grid, 'name').map((name) => name.textContent)).to.deep.equal(['Alice Liddell (you)', 'Bob Builder']);
    await expect(grid).to.be.accessible();
  });
});

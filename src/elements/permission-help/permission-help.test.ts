import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../define.js';
import { CallError, CallErrorEvent, detectBrowser, permissionHelp, type BrowserFamily } from '../../controller/index.js';
import { FakeController } from '../../../test/support/fake-controller.js';
import type { PermissionHelp, PermissionHelpRetryEvent } from './permission-help.js';

const denied = (device: 'microphone' | 'camera') => new CallError('permission-denied', `Access to the ${device} was denied.`, { device });

async function fakeHelp(browser?: BrowserFamily): Promise<{ el: PermissionHelp; fake: FakeController }> {
  const fake = new FakeController();
  const el = await fixture<PermissionHelp>(html`<permission-help .controller=${fake} .browser=${browser}></permission-help>`);
  return { el, fake };
}

const part = (el: PermissionHelp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const steps = (el: PermissionHelp) => [...part(el, 'steps')!.querySelectorAll('li')].map((item) => item.textContent!.trim());

describe('permissionHelp() and detectBrowser()', () => {
  it('tells the browsers apart from their user agents', () => {
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
    expect(detectBrowser(chrome)).to.equal('chrome');
    expect(detectBrowser(chrome.replace('Chrome/', 'HeadlessChrome/')), 'headless Chromium').to.equal('chrome');
    expect(detectBrowser(`${chrome} Edg/156.0.0.0`)).to.equal('edge');
    expect(detectBrowser('Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0')).to.equal('firefox');
    expect(detectBrowser('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15')).to.equal('safari');
    expect(detectBrowser('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/156.0 Mobile/15E148 Safari/604.1')).to.equal('safari');
    expect(detectBrowser('curl/8.0')).to.equal('other');
  });

  it('gives steps per browser that name the device', () => {
    for (const browser of ['chrome', 'edge', 'firefox', 'safari', 'other'] as const) {
      const help = permissionHelp('camera', browser);
      expect(help.steps.length, browser).to.be.within(2, 4);
      expect(help.steps.join(' '), browser).to.match(/camera/i);
    }
    expect(permissionHelp('microphone', 'firefox').browserName).to.equal('Firefox');
    expect(permissionHelp('microphone', 'other').browserName).to.equal(null);
  });
});

describe('<permission-help> with a fake controller', () => {
  it('is empty until a permission is refused, then shows what happened and the steps for the browser', async () => {
    const { el, fake } = await fakeHelp('firefox');
    expect(part(el, 'base')).to.equal(null);
    fake.enter('active', { local: { stream: new MediaStream(), microphoneEnabled: false } });
    fake.setUnavailable('microphone', denied('microphone'));
    fake.dispatchEvent(new CallErrorEvent(denied('microphone')));
    await el.updateComplete;
    expect(el.open).to.equal(true);
    expect(part(el, 'title')!.textContent).to.equal('Microphone blocked');
    expect(part(el, 'title')!.closest('[role="alert"]'), 'the title is announced').to.not.equal(null);
    expect(part(el, 'message')!.textContent).to.contain('cannot hear you');
    expect(steps(el)).to.deep.equal(permissionHelp('microphone', 'firefox').steps);
    expect(el.shadowRoot!.textContent).to.contain('To allow it in Firefox:');
    await expect(el).to.be.accessible();
  });

  it('follows the user agent when no browser is set', async () => {
    const { el, fake } = await fakeHelp();
    fake.dispatchEvent(new CallErrorEvent(denied('camera')));
    await el.updateComplete;
    expect(steps(el)).to.deep.equal(permissionHelp('camera', detectBrowser()).steps);
  });

  it('shows a refusal the page hands it, from a call it placed itself', async () => {
    const { el } = await fakeHelp('chrome');
    expect(el.show(new CallError('device-in-use', 'The microphone is in use.', { device: 'microphone' }))).to.equal(false);
    expect(el.show(denied('microphone'))).to.equal(true);
    await el.updateComplete;
    expect(part(el, 'message')!.textContent).to.contain('The call did not start.');
  });

  it('ignores other errors, and a refused screen share', async () => {
    const { el, fake } = await fakeHelp('chrome');
    fake.dispatchEvent(new CallErrorEvent(new CallError('device-not-found', 'No microphone was found.', { device: 'microphone' })));
    fake.dispatchEvent(new CallErrorEvent(new CallError('permission-denied', 'Screen sharing is not allowed.', { device: 'screen' })));
    await el.updateComplete;
    expect(el.open).to.equal(false);
  });

  it('shows a refusal an element relays from its own action, before any call', async () => {
    const { el } = await fakeHelp('chrome');
    const button = document.createElement('button');
    document.body.append(button);
    try {
      button.dispatchEvent(new CallErrorEvent(denied('microphone')));
      await el.updateComplete;
      expect(part(el, 'message')!.textContent).to.contain('The call did not start.');
      part(el, 'retry-button')!.click();
      await waitUntil(() => !el.open, 'a retry outside a call closes the help');
    } finally {
      button.remove();
    }
  });

  it('retries in a call by turning the device on, and goes away once it works', async () => {
    const { el, fake } = await fakeHelp('safari');
    fake.enter('active', { local: { stream: new MediaStream(), microphoneEnabled: false } });
    fake.setUnavailable('microphone', denied('microphone'));
    fake.dispatchEvent(new CallErrorEvent(denied('microphone')));
    await el.updateComplete;
    const retried = oneEvent(el, 'permission-help-retry') as Promise<PermissionHelpRetryEvent>;
    part(el, 'retry-button')!.click();
    const retry = await retried;
    expect([retry.device, retry.inCall]).to.deep.equal(['microphone', true]);
    await waitUntil(() => !el.open, 'the help stayed after the microphone opened');
    expect(fake.calls).to.deep.include(['setMicrophoneEnabled', true]);
  });

  it('stays, with the new reason relayed, when the retry is refused again', async () => {
    const { el, fake } = await fakeHelp('chrome');
    fake.enter('active', { local: { stream: new MediaStream(), microphoneEnabled: false } });
    fake.refuse('setMicrophoneEnabled', denied('microphone'));
    fake.dispatchEvent(new CallErrorEvent(denied('microphone')));
    await el.updateComplete;
    const failed = oneEvent(el, 'call-error') as Promise<CallErrorEvent>;
    part(el, 'retry-button')!.click();
    expect((await failed).error.type).to.equal('permission-denied');
    expect(el.open).to.equal(true);
  });

  it('closes on Close, when the device becomes available, and when its call ends', async () => {
    const { el, fake } = await fakeHelp('edge');
    fake.enter('active', { local: { stream: new MediaStream() } });
    fake.dispatchEvent(new CallErrorEvent(denied('camera')));
    await el.updateComplete;
    expect(part(el, 'title')!.textContent).to.equal('Camera blocked');
    part(el, 'close-button')!.click();
    await el.updateComplete;
    expect(el.open).to.equal(false);

    fake.dispatchEvent(new CallErrorEvent(denied('camera')));
    await el.updateComplete;
    fake.setUnavailable('camera', null);
    await el.updateComplete;
    expect(el.open, 'allowed meanwhile').to.equal(false);

    fake.dispatchEvent(new CallErrorEvent(denied('camera')));
    await el.updateComplete;
    fake.setState('idle', null);
    await el.updateComplete;
    expect(el.open, 'the call ended').to.equal(false);
  });
});

import { expect } from '@open-wc/testing';
import { newCallSecret } from './invitation.js';
import { saveResumableCall, takeResumableCall, type ResumableCall } from './resume.js';

function stored(overrides: Partial<ResumableCall> = {}): ResumableCall {
  return {
    userId: 'bob',
    callId: 'call-1',
    secret: newCallSecret(),
    conversationId: 'team',
    conversationTitle: 'Design team',
    direction: 'incoming',
    video: true,
    caller: { id: 'alice', name: 'Alice' },
    inviterId: 'alice',
    ringTimeout: 30000,
    selfEpoch: 1,
    createdAt: Date.now() - 60000,
    answeredAt: Date.now() - 55000,
    participants: [{ id: 'alice', name: 'Alice', epoch: 1, microphoneEnabled: true, cameraEnabled: false }],
    microphone: false,
    camera: true,
    savedAt: Date.now(),
    grace: 20000,
    ...overrides,
  };
}

describe('the call kept across a reload', () => {
  afterEach(() => sessionStorage.clear());

  it('is taken once by the same user of the same namespace', () => {
    const call = stored();
    saveResumableCall('meshcall', call);
    expect(takeResumableCall('other', 'bob')).to.equal(null);
    expect(takeResumableCall('meshcall', 'carol')).to.equal(null);
    expect(takeResumableCall('meshcall', 'bob')).to.deep.equal(call);
    expect(takeResumableCall('meshcall', 'bob'), 'used once').to.equal(null);
  });

  it('is worthless after its grace, and removed anyway', () => {
    const call = stored({ savedAt: Date.now() - 21000 });
    saveResumableCall('meshcall', call);
    expect(takeResumableCall('meshcall', 'bob')).to.equal(null);
    expect(sessionStorage.length).to.equal(0);
  });

  it('is refused when what storage holds is not a call of ours', () => {
    const key = 'meshcall:resume:meshcall:bob';
    for (const text of [
      'not json',
      '[]',
      JSON.stringify({ ...stored(), secret: 'short' }),
      JSON.stringify({ ...stored(), userId: 'mallory' }),
      JSON.stringify({ ...stored(), participants: [] }),
      JSON.stringify({ ...stored(), participants: [{ id: 'alice' }] }),
      JSON.stringify({ ...stored(), grace: 3600000 }),
      JSON.stringify({ ...stored(), savedAt: Date.now() + 60000 }),
    ]) {
      sessionStorage.setItem(key, text);
      expect(takeResumableCall('meshcall', 'bob'), text.slice(0, 60)).to.equal(null);
      expect(sessionStorage.getItem(key)).to.equal(null);
    }
  });
});

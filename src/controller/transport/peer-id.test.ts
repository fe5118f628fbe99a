import { expect } from '@open-wc/testing';
import { peerIdForUser, userForPeerId } from './peer-id.js';

describe('peer ids', () => {
  it('keeps plain user ids readable', () => {
    expect(peerIdForUser('alice42', 'meshcall')).to.equal('meshcall-u-alice42');
  });

  it('round-trips any user id, and every peer id is valid for PeerServer', () => {
    const peerJsId = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;
    for (const id of ['alice', 'a.b@example.org', 'Zoë Ünal', '日本', '--', 'x-61']) {
      const peerId = peerIdForUser(id, 'app1');
      expect(peerId, id).to.match(peerJsId);
      expect(userForPeerId(peerId, 'app1'), id).to.equal(id);
    }
  });

  it('keeps encoded ids apart from plain ids that look like hex', () => {
    expect(peerIdForUser('x61', 'meshcall')).to.not.equal(peerIdForUser('a', 'meshcall'));
    expect(userForPeerId(peerIdForUser('x61', 'meshcall'), 'meshcall')).to.equal('x61');
  });

  it('refuses peer ids of another namespace or shape', () => {
    expect(userForPeerId('other-u-alice', 'meshcall')).to.equal(null);
    expect(userForPeerId('meshcall-q-alice', 'meshcall')).to.equal(null);
    expect(userForPeerId('meshcall-x-zz', 'meshcall')).to.equal(null);
    expect(userForPeerId('meshcall-x-ff', 'meshcall'), 'invalid UTF-8').to.equal(null);
  });

  it('refuses a hex-encoded plain id, which would pose as that user', () => {
    const hexAlice = Array.from(new TextEncoder().encode('alice'), (byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(userForPeerId(`meshcall-x-${hexAlice}`, 'meshcall')).to.equal(null);
  });
});

import { expect, waitUntil } from '@open-wc/testing';
import { UserDirectory } from './user-directory.js';

describe('UserDirectory', () => {
  it("prefers the resolver's answer, then the name the page rang with, then the peer's own", () => {
    const changed: string[] = [];
    const directory = new UserDirectory((id) => changed.push(id));
    expect(directory.profileOf({ id: 'bob', name: 'Mallory' })).to.deep.equal({ id: 'bob', name: 'Mallory', avatarUrl: null });
    directory.noteGivenName({ id: 'bob', name: 'Bob' });
    expect(directory.profileOf({ id: 'bob', name: 'Mallory' }).name).to.equal('Bob');
    directory.setResolver((id) => (id === 'bob' ? { name: 'Bob Builder', avatarUrl: 'https://example.invalid/bob.png' } : null));
    expect(directory.profileOf({ id: 'bob', name: 'Mallory' })).to.deep.equal({
      id: 'bob',
      name: 'Bob Builder',
      avatarUrl: 'https://example.invalid/bob.png',
    });
    expect(directory.profileOf({ id: 'carol', name: 'Carol' }).name, 'unknown to the resolver').to.equal('Carol');
    expect(changed).to.deep.equal(['bob']);
  });

  it('asks once per user, reports a late answer, and drops that of a replaced resolver', async () => {
    const changed: string[] = [];
    const directory = new UserDirectory((id) => changed.push(id));
    let asked = 0;
    let answer!: (name: { name: string }) => void;
    directory.setResolver(() => {
      asked += 1;
      return new Promise((resolve) => (answer = resolve));
    });
    expect(directory.profileOf({ id: 'bob', name: 'bob' }).name).to.equal('bob');
    directory.profileOf({ id: 'bob', name: 'bob' });
    expect(asked).to.equal(1);
    answer({ name: 'Bob' });
    await waitUntil(() => changed.length === 1);
    expect(directory.profileOf({ id: 'bob', name: 'bob' }).name).to.equal('Bob');

    directory.profileOf({ id: 'carol', name: 'carol' });
    const stale = answer;
    directory.setResolver(() => ({ name: 'Carol' }));
    stale({ name: 'Stale' });
    await new Promise((resolve) => setTimeout(resolve));
    expect(directory.profileOf({ id: 'carol', name: 'carol' }).name).to.equal('Carol');
  });

  it('treats a failing resolver as not knowing, and keeps names to one line', async () => {
    const directory = new UserDirectory(() => {});
    directory.setResolver((id) => {
      if (id === 'thrower') throw new Error('bug');
      if (id === 'rejecter') return Promise.reject(new Error('offline'));
      return { name: '  Line\none\u202e  ', avatarUrl: '' };
    });
    expect(directory.profileOf({ id: 'thrower', name: 'T' }).name).to.equal('T');
    expect(directory.profileOf({ id: 'rejecter', name: 'R' }).name).to.equal('R');
    await new Promise((resolve) => setTimeout(resolve));
    expect(directory.profileOf({ id: 'rejecter', name: 'R' }).name).to.equal('R');
    expect(directory.profileOf({ id: 'x', name: 'x' })).to.deep.equal({ id: 'x', name: 'Line one', avatarUrl: null });
  });
});

import { expect } from '@open-wc/testing';
import { avatarColorOf, initialsOf } from './avatar.js';

describe('initialsOf', () => {
  it('takes the first letters of the first and the last word', () => {
    expect(initialsOf('Mary Ann Lee')).to.equal('ML');
    expect(initialsOf('Bob Builder')).to.equal('BB');
  });

  it('takes one letter from a single word', () => {
    expect(initialsOf('Alice')).to.equal('A');
  });

  it('upper-cases, and ignores surrounding and repeated white space', () => {
    expect(initialsOf('  carol \t van  der   berg ')).to.equal('CB');
  });

  it('keeps a letter outside the Basic Multilingual Plane whole', () => {
    expect(initialsOf('𝒜da Lovelace')).to.equal('𝒜L');
    expect(initialsOf('Émile Zola')).to.equal('ÉZ');
  });

  it('falls back to "?" for a blank name', () => {
    expect(initialsOf('')).to.equal('?');
    expect(initialsOf('   ')).to.equal('?');
  });
});

describe('avatarColorOf', () => {
  it('gives the same colour for the same id, every time', () => {
    expect(avatarColorOf('alice')).to.equal(avatarColorOf('alice'));
  });

  it('gives different ids different colours', () => {
    const colours = new Set(['alice', 'bob', 'carol', 'dave', 'erin'].map(avatarColorOf));
    expect(colours.size).to.equal(5);
  });

  it('is a dark colour, for white initials', () => {
    expect(avatarColorOf('alice')).to.match(/^hsl\(\d{1,3} 50% 30%\)$/);
    expect(avatarColorOf('')).to.match(/^hsl\(\d{1,3} 50% 30%\)$/);
  });
});

import { expect } from '@open-wc/testing';
import { screenEncodingFor, videoEncodingFor } from './send-ladder.js';

describe('send ladder', () => {
  it('sends the camera as captured in a 1:1 call, within a 720p budget', () => {
    expect(videoEncodingFor(2, 480)).to.deep.equal({ maxBitrate: 1_500_000, maxFramerate: 30, scaleResolutionDownBy: 1 });
    expect(videoEncodingFor(2, 1080)).to.deep.equal({ maxBitrate: 1_500_000, maxFramerate: 30, scaleResolutionDownBy: 1.5 });
  });

  it('steps down to 360p from three people and to 240p at 15 fps from five', () => {
    expect(videoEncodingFor(3, 480)).to.deep.equal({ maxBitrate: 450_000, maxFramerate: 24, scaleResolutionDownBy: 480 / 360 });
    expect(videoEncodingFor(4, 720)).to.deep.equal({ maxBitrate: 450_000, maxFramerate: 24, scaleResolutionDownBy: 2 });
    expect(videoEncodingFor(5, 480)).to.deep.equal({ maxBitrate: 200_000, maxFramerate: 15, scaleResolutionDownBy: 2 });
    expect(videoEncodingFor(9, 240)).to.deep.equal({ maxBitrate: 200_000, maxFramerate: 15, scaleResolutionDownBy: 1 });
  });

  it('never sends less per connection as a call shrinks', () => {
    for (let people = 3; people <= 9; people++) {
      expect(videoEncodingFor(people - 1, 480).maxBitrate).to.be.at.least(videoEncodingFor(people, 480).maxBitrate);
    }
  });
});

describe('screen ladder', () => {
  it('gives the screen more of the uplink than the camera at every size of call', () => {
    for (let people = 2; people <= 9; people++) {
      expect(screenEncodingFor(people).maxBitrate, `${people} people`).to.be.greaterThan(videoEncodingFor(people, 480).maxBitrate);
    }
    expect(screenEncodingFor(2).maxBitrate).to.equal(2_500_000);
    expect(screenEncodingFor(4).maxBitrate).to.equal(1_500_000);
    expect(screenEncodingFor(5).maxBitrate).to.be.below(1_500_000);
  });
});

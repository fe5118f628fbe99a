import { css } from 'lit';

// The presenter layout: the stage above, the tiles in a strip below. Custom properties are only
// read, with their defaults.
export default css`
  .layout {
    height: 100%;
  }

  .layout--presenting {
    display: flex;
    flex-direction: column;
    gap: var(--meshcall-grid-gap, 0.5rem);
  }

  .stage {
    position: relative;
    flex: 1 1 auto;
    min-height: 0;
    width: 100%;
    max-height: var(--meshcall-stage-max-height, 65vh);
    /* As wide as a 16:9 screen of that height, centred: no bars beside a screen that fits. With a
       max-height of none this is invalid, hence none too. */
    max-width: calc(var(--meshcall-stage-max-height, 65vh) * 16 / 9);
    aspect-ratio: var(--meshcall-stage-aspect-ratio, 16 / 9);
    margin: 0 auto;
    overflow: hidden;
    border-radius: var(--meshcall-tile-radius, 0.75rem);
    background: var(--meshcall-stage-background, #000000);
    color: var(--meshcall-tile-text-color, #ffffff);
  }

  .screen {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: contain;
  }

  .presenter {
    position: absolute;
    left: 0.5rem;
    top: 0.5rem;
    max-width: calc(100% - 1rem);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    padding: 0.25rem 0.625rem;
    border-radius: 0.375rem;
    background: var(--meshcall-tile-label-background, rgb(0 0 0 / 0.6));
    font-size: 0.875rem;
    font-weight: 600;
    line-height: 1.25;
  }

  /* Tiles in a row, centred, scrolling sideways when they do not fit. */
  .grid--strip {
    display: flex;
    flex: none;
    justify-content: safe center;
    height: auto;
    overflow-x: auto;
  }

  .grid--strip .tile {
    flex: 0 0 var(--meshcall-strip-tile-width, 11rem);
    aspect-ratio: 16 / 9;
  }

  /* On a phone, three tiles fit across (a call of three with a screen shows everyone); more scroll. */
  @container (max-width: 30rem) {
    .grid--strip .tile {
      flex-basis: var(--meshcall-strip-tile-width, min(7.5rem, (100cqw - 2 * var(--meshcall-grid-gap, 0.5rem)) / 3));
    }
  }
`;

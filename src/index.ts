export * from './controller/index.js';
export type { CallControllerView } from './controller/view.js';
export { CallElement } from './elements/call-element.js';
export { avatarColorOf, initialsOf } from './elements/shared/avatar.js';
export * from './elements/call-button/call-button.js';
export * from './elements/incoming-call/incoming-call.js';
export * from './elements/call-grid/call-grid.js';
export * from './elements/media-controls/media-controls.js';
export * from './elements/call-announcer/call-announcer.js';

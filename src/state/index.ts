export type { BasePage, BasePageMeta, BaseAttachment, ConflictRecord, RunRecord, StateStore } from './types.js';
export { openStateStore } from './sqlite/store.js';

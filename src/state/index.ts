export type { BasePage, BasePageMeta, BaseAttachment, ConflictRecord, PendingCreate, RunRecord, StateStore } from './types.js';
export { openStateStore } from './sqlite/store.js';

export type { BasePage, BasePageMeta, BaseAttachment, ConflictRecord, PendingCreate, PendingUpdate, RunRecord, StateStore } from './types.js';
export { openStateStore } from './sqlite/store.js';

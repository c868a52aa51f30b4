export type { BasePage, BasePageMeta, BaseAttachment, ConflictRecord, PendingCreate, PendingUpdate, RunRecord, StateStore, ListedPage, RemoteListingTable } from './types.js';
export { openStateStore } from './sqlite/store.js';

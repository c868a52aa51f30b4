/** The merge module: pure three-way merge of local texts, front-matter aware, plus conflict-copy naming. */
export { merge3 } from './merge3.js';
export { mergeDocument } from './document.js';
export type { DocumentMergeResult, KeyConflict } from './document.js';
export { sameContent } from './same-content.js';
export { conflictCopyName, isConflictCopy, parseConflictCopy, conflictCopiesToPrune } from './conflict-name.js';
export type { ConflictCopyInfo } from './conflict-name.js';
export type { MergeConflict, MergeLabels, MergeOptions, MergeResult, MergeStatus } from './types.js';

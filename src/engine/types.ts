import type { ConfluenceApi, RemoteAttachment, RemotePage } from '../core/remote-types.js';
import type { Format } from '../format/types.js';
import type { Logger } from '../obs/logger.js';

/** What the engine needs beyond ConfluenceApi; the real client has all of it, fakes may omit the extras. */
export interface SyncApi extends ConfluenceApi {
  listSpaceLabels?(spaceId: string): Promise<Map<string, string[]>>;
  listSpaceAttachments?(spaceKey: string): AsyncIterable<RemoteAttachment>;
  stats?(): { requests: number };
  /** An earlier version of a page with its body (finding a page we created, renamed since). */
  getPageVersion?: ((id: string, version: number) => Promise<RemotePage | null>) | undefined;
  /** The account the credentials belong to. */
  currentUser?(): Promise<{ accountId?: string | undefined }>;
  /** Server clock minus local clock, ms, from the last answer (undefined before any). */
  clockSkewMs?(): number | undefined;
}

export interface ProgressEvent {
  phase: string;
  done: number;
  total?: number;
  [key: string]: unknown;
}

export interface PullOptions {
  workspace: string;
  api: SyncApi;
  spaces: readonly string[];
  rootPageId?: string | undefined;
  labels?: readonly string[] | undefined;
  cql?: string | undefined;
  /** The local format of a space (markdown by default, storage per workspace or space). */
  formatFor: (spaceKey: string) => Format;
  maxDelete: { percent: number; count?: number | undefined };
  force: boolean;
  dryRun: boolean;
  concurrency: number;
  logger: Logger;
  progress?: ((e: ProgressEvent) => void) | undefined;
  /** Clock for conflict-copy names and trash folders (tests). */
  now?: () => Date;
  /** The caller (csync sync, the daemon) already holds the workspace lock. */
  lockHeld?: boolean;
  /** Attachment downloads run in parallel (concurrency.attachments; default min(concurrency, 4)). */
  attachmentConcurrency?: number | undefined;
  /** Pages per listing request (batch.pageSize; default and API maximum 250). */
  pageSize?: number | undefined;
  /** Cancels the run: no request, queued task or file write starts after it fires (src/core/run-signal.ts). */
  signal?: AbortSignal | undefined;
}

export interface PlanLine {
  action: string;
  path: string;
  from?: string | undefined;
  id: string;
}

export interface PullSummary {
  dryRun: boolean;
  spaces: string[];
  pages: { new: number; updated: number; moved: number; relabelled: number; deleted: number; conflicted: number; unchanged: number; falseConflicts: number; merged: number };
  attachments: { downloaded: number; skipped: number; deleted: number; moved: number; conflicted: number };
  bytes: number;
  requests: number | undefined;
  durationMs: number;
  conflicts: Array<{ path: string; copyPath: string | null; kind: string }>;
  warnings: string[];
  /** Paths left alone on purpose (a link, not UTF-8, too large, changed while running): the run exits 10. */
  skipped: string[];
  plan: PlanLine[];
  /** Plan lines left out of `plan` (a first pull of a large space lists its first 1,000 pages only). */
  planOmitted?: number;
}

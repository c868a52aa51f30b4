/**
 * The export's domain: what to select, which formats, where the bundle goes, and the job record. An export is a
 * pipeline select → fetch (cached by id + version) → render → bundle → verify, run as a job (job-store.ts).
 */

/** Output formats (`--format`, repeatable). */
export const EXPORT_FORMATS = ['md', 'json', 'html', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * What to export. One entry per source: Confluence today; the Jira issue adds `{ source: 'jira', jql, labels }`
 * beside it and every later stage works on items of any `kind`.
 */
export interface ConfluenceSelection {
  source: 'confluence';
  spaces: string[];
  labels: string[];
  cql?: string | undefined;
  rootPageId?: string | undefined;
  /** ISO date: only pages whose current version is at least this new. */
  since?: string | undefined;
}
/**
 * Jira issues: by JQL and/or labels (both given: issues matching both), and/or the issues Jira macros on the
 * exported pages point at (`linked`, resolved after the pages are fetched).
 */
export interface JiraSelection {
  source: 'jira';
  jql?: string | undefined;
  labels: string[];
  linked: boolean;
}
export type Selection = ConfluenceSelection | JiraSelection;

export interface ExportSpec {
  selection: Selection[];
  formats: ExportFormat[];
  singleFile: boolean;
  attachments: boolean;
  useCache: boolean;
  /** Exactly one of out (folder) and zip (file). Absolute paths. */
  out?: string | undefined;
  zip?: string | undefined;
  /** Title for the bundle (index pages, the PDF's title page). */
  title: string;
  /** PDF: a TrueType/OpenType font file for runs of CJK characters (`--pdf-font`), absolute. */
  pdfFont?: string | undefined;
  /** The named definition (config `exports`) this job runs, if any. */
  definition?: string | undefined;
  /**
   * Atomic replace (the daemon, named definitions): the bundle is written and verified at `out`/`zip` (a hidden
   * sibling), then renamed here, so a reader of this path never sees half a bundle.
   */
  publishTo?: string | undefined;
}

/** What users see (`export list`, `status`, `--json`, the daemon's /exports). Rows of older versions say `done`: read as completed. */
export type JobState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type ItemStatus = 'pending' | 'fetched' | 'done' | 'failed';

/**
 * One exported thing: a Confluence page, or a Jira issue (id = its key, version = its `updated` time in ms since the
 * epoch — what the cache keys on — spaceKey = its project, parentId = its parent's key).
 */
export interface ExportItem {
  id: string;
  kind: 'page' | 'jira-issue';
  title: string;
  version: number;
  spaceKey: string;
  parentId: string | null;
  /** Bundle path without extension, POSIX, under the format's folder (e.g. "DEMO/Getting started/Installation"). */
  path: string;
  labels: string[];
  authorId?: string | undefined;
  createdAt?: string | undefined;
  updatedAt?: string | undefined;
  url: string;
  /** Listing order (the page tree, depth first). */
  order: number;
  /** Jira issues: the workflow status (In Progress, Done, ...). */
  issueStatus?: string | undefined;
  status: ItemStatus;
  error?: string | undefined;
}

export interface JobProgress {
  step: string;
  items: number;
  done: number;
  failed: number;
  bytes: number;
  /** Remote requests this job has sent (all runs). */
  requests: number;
}

export interface JobRecord {
  id: string;
  state: JobState;
  spec: ExportSpec;
  site: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string | undefined;
  endedAt?: string | undefined;
  pid?: number | undefined;
  progress: JobProgress;
  error?: string | undefined;
}

/** The synced base, in domain terms: what the state store remembers about each page and attachment. */
export interface BasePage {
  id: string;
  spaceKey: string;
  parentId: string | null;
  title: string;
  position: number | null;
  /** Remote version the local file reflects. */
  version: number;
  /** Path of the local file, relative to the workspace (POSIX). */
  path: string;
  /** sha256 hex of the file bytes as last synced. */
  hash: string;
  size: number;
  mtimeMs: number;
  /** The local text last synced (merge base). */
  base: string;
  labels: string[];
  status: 'synced' | 'conflict' | 'deleted-remote';
}

/** A base page without its text: what a pull keeps in memory per page (the text stays in the store). */
export type BasePageMeta = Omit<BasePage, 'base'>;

export interface BaseAttachment {
  id: string;
  pageId: string;
  fileName: string;
  version: number;
  size: number;
  mediaType: string;
  path: string;
  hash: string;
  /** mtime of the local file as last synced (stat fast path; 0 = unknown, hash it). */
  mtimeMs?: number;
  /** 'conflict': changed on both sides; the remote file is saved at copyPath and nothing is pushed until resolved. */
  status?: 'synced' | 'conflict';
  copyPath?: string | null;
}

export interface ConflictRecord {
  pageId: string;
  path: string;
  copyPath: string | null;
  remoteVersion: number;
  kind: 'both-modified' | 'deleted-remote-modified-local' | 'untracked-local-file';
  createdAt: string;
}

export interface RunRecord {
  id: number;
  command: string;
  startedAt: string;
  endedAt: string | null;
  status: string;
  counts: Record<string, number>;
  error: string | null;
}

export interface StateStore {
  readonly path: string;
  upsertSpace(key: string, id: string, homepageId: string | null): void;
  spaceId(key: string): string | undefined;
  pagesOfSpace(spaceKey: string): BasePage[];
  /** The pages of a space without their base texts (memory stays small for large spaces). */
  pageMetasOfSpace(spaceKey: string): BasePageMeta[];
  /** The base text of one page. */
  pageBase(id: string): string | undefined;
  page(id: string): BasePage | undefined;
  pageByPath(path: string): BasePage | undefined;
  allPages(): BasePage[];
  savePage(page: BasePage): void;
  /** Updates everything but the base text of a page that is already stored. */
  savePageMeta(page: BasePageMeta): void;
  deletePage(id: string): void;
  attachmentsOfSpace(spaceKey: string): BaseAttachment[];
  saveAttachment(att: BaseAttachment): void;
  deleteAttachment(id: string): void;
  /** Attachments changed on both sides, waiting for `csync resolve`. */
  attachmentConflicts(): BaseAttachment[];
  stageBodies(bodies: ReadonlyArray<{ id: string; version: number; body: string }>): void;
  stagedBody(id: string, version: number): string | undefined;
  hasStagedBody(id: string, version: number): boolean;
  /** How many bodies are staged (left by an interrupted pull when non-zero). */
  stagedCount(): number;
  clearStaged(id: string): void;
  addConflict(c: ConflictRecord): void;
  conflicts(): ConflictRecord[];
  removeConflict(pageId: string): void;
  startRun(command: string): number;
  finishRun(id: number, status: string, counts: Record<string, number>, error?: string): void;
  lastRuns(n: number): RunRecord[];
  transaction<T>(fn: () => T): T;
  integrityCheck(): string;
  close(): void;
}

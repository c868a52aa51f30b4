/**
 * Jira issue attachments in the bundle: each exported issue's files under jira/<KEY>/attachments/<safe name>,
 * downloaded through the Jira client (its limiter and retries) into the export cache once per attachment id, then
 * copied into the staged bundle — never through a symbolic link on either side. The manifest's file list and
 * SHA256SUMS then cover them like every other file (verify checks them).
 *
 * Cache key: the attachment id. Jira never changes a stored attachment's bytes (a new upload is a new id), so an
 * issue whose `updated` moved (a comment, an edit) does not download its old files again.
 */
import { lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { nameKey, safeName } from '../core/file-names.js';
import { mkdirSafe, replaceWith, snapshotFileSafe, tmpNameFor } from '../local/safe-fs.js';
import type { JiraClient, JiraIssueData } from '../remote/jira/index.js';
import type { ExportCache } from './cache.js';
import { cachedIssue, JIRA_DIR } from './jira.js';
import { relativeTo } from './links.js';
import type { ExportItem } from './types.js';

type Attachment = JiraIssueData['attachments'][number];

/** The version under which a Jira attachment is cached (its bytes never change under its id). */
const CACHE_VERSION = 0;
const cacheId = (attachmentId: string) => `jira-${attachmentId}`;

/** The bundle folder of an issue's attachments. */
export const jiraAttachmentDir = (key: string): string => `${JIRA_DIR}/${safeName(key)}/attachments`;

/**
 * Attachment id → its bundle path (POSIX, from the bundle root). Names are made safe; a name an earlier attachment of
 * the issue already took (ignoring case: Jira allows `image.png` twice) gets the attachment id in front.
 */
export function jiraAttachmentFiles(issue: { key: string; attachments: ReadonlyArray<{ id: string; filename: string }> }): Map<string, string> {
  const dir = jiraAttachmentDir(issue.key);
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const a of issue.attachments) {
    let name = safeName(a.filename);
    if (taken.has(nameKey(name))) name = safeName(`${a.id}-${a.filename}`);
    taken.add(nameKey(name));
    out.set(a.id, `${dir}/${name}`);
  }
  return out;
}

/** Whether a bundle path is an attachment (a page's or an issue's): what the HTML and PDF renderers may embed. */
export function isBundleAttachment(abs: string): boolean {
  return abs.startsWith('attachments/') || /^jira\/[^/]+\/attachments\/[^/]+$/.test(abs);
}

/** The attachment a body's media node or `!name!` refers to: by file name (exact, then ignoring case), else by id. */
export function findAttachment(attachments: readonly Attachment[], nameOrId: string): Attachment | undefined {
  return attachments.find((a) => a.filename === nameOrId) ?? attachments.find((a) => nameKey(a.filename) === nameKey(nameOrId)) ?? attachments.find((a) => a.id === nameOrId);
}

/** Whether the staged bundle holds this file (a regular file, not a link). */
export function inStage(stage: string, rel: string): boolean {
  try {
    return lstatSync(join(stage, ...rel.split('/'))).isFile();
  } catch {
    return false;
  }
}

/** For an issue rendered into `file`: where each of its attachments is read, when the staged bundle holds it. */
export function issueAttachmentLinks(stage: string, issue: Pick<JiraIssueData, 'key' | 'attachments'>, file: string): (a: Attachment) => string | undefined {
  const files = jiraAttachmentFiles(issue);
  return (a) => {
    const rel = files.get(a.id);
    return rel && inStage(stage, rel) ? relativeTo(file, rel) : undefined;
  };
}

/** The bundle's files grouped by the issue attachment folder they are in (for the manifest's issue items). */
export function attachmentsByIssueDir<F extends { path: string }>(files: readonly F[]): Map<string, F[]> {
  const out = new Map<string, F[]>();
  for (const f of files) {
    const m = /^(jira\/[^/]+\/attachments)\/[^/]+$/.exec(f.path);
    if (!m) continue;
    let list = out.get(m[1]!);
    if (!list) out.set(m[1]!, (list = []));
    list.push(f);
  }
  return out;
}

/** An issue item's `attachments` in the manifest: its files (path, bytes, sha256), when it has any. */
export function issueAttachmentsOf<F>(byDir: ReadonlyMap<string, F[]>, key: string): { attachments?: F[] } {
  const list = byDir.get(jiraAttachmentDir(key));
  return list?.length ? { attachments: list } : {};
}

export interface JiraAttachmentResult {
  /** Files placed in the bundle. */
  placed: number;
  /** Of those, downloaded now (the rest came from the cache). */
  downloaded: number;
  bytes: number;
}

/** Downloads what the cache lacks and copies each issue's attachments into the staged bundle. */
export async function placeJiraAttachments(
  jira: JiraClient,
  cache: ExportCache,
  issues: readonly ExportItem[],
  stage: string,
  onError: (key: string, a: Attachment, err: unknown) => void,
): Promise<JiraAttachmentResult> {
  const result: JiraAttachmentResult = { placed: 0, downloaded: 0, bytes: 0 };
  for (const it of issues) {
    if (it.kind !== 'jira-issue') continue;
    const issue = cachedIssue(cache, it.id, it.version);
    if (!issue || issue.attachments.length === 0) continue;
    const files = jiraAttachmentFiles(issue);
    for (const a of issue.attachments) {
      const rel = files.get(a.id)!;
      const cached = cache.filePath(cacheId(a.id), CACHE_VERSION);
      if (!cached) {
        onError(it.id, a, new Error(`attachment id ${JSON.stringify(a.id)} is not a plain id`));
        continue;
      }
      try {
        if (!cache.hasFile(cacheId(a.id), CACHE_VERSION)) {
          await jira.downloadAttachment(a, cached);
          result.downloaded++;
        }
        await mkdirSafe(stage, posix.dirname(rel));
        const tmp = join(stage, ...posix.dirname(rel).split('/'), tmpNameFor(posix.basename(rel)));
        // Read from the cache without following a link (cache.filePath's layout: files/<id>/<version>).
        const facts = await snapshotFileSafe(cache.root, `files/${cacheId(a.id)}/${CACHE_VERSION}`, tmp);
        try {
          await replaceWith(stage, rel, tmp);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
        result.placed++;
        result.bytes += facts.size;
      } catch (err) {
        onError(it.id, a, err);
      }
    }
  }
  return result;
}

/**
 * Jira in the export: select issues by JQL and/or label (one search, 100 issues per request, bodies and the first
 * comments included), complete each issue's comments, and cache it by key + `updated` (an issue's `updated` moves
 * with every edit and comment, so an entry is never stale: re-exporting unchanged issues costs only the search).
 * Issues that Jira macros on exported pages point at are found in the pages' cached bodies (`--include-linked-issues`).
 */
import { UsageError } from '../core/errors.js';
import { safeName } from '../core/file-names.js';
import { RemoteError } from '../core/errors.js';
import type { JiraClient, JiraIssueData } from '../remote/jira/index.js';
import type { ExportCache } from './cache.js';
import type { ExportItem, JiraSelection } from './types.js';

export const JIRA_DIR = 'jira';
/** Issue keys per `key in (…)` search. */
const KEYS_PER_SEARCH = 100;

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Splits a trailing ORDER BY off a JQL query (outside quotes). */
export function splitOrderBy(jql: string): { where: string; orderBy: string | undefined } {
  let inQuote: string | undefined;
  for (let i = 0; i < jql.length; i++) {
    const c = jql[i]!;
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === inQuote) inQuote = undefined;
      continue;
    }
    if (c === '"' || c === "'") inQuote = c;
    else if (/^order\s+by\b/i.test(jql.slice(i)) && (i === 0 || /\s|\)/.test(jql[i - 1]!))) return { where: jql.slice(0, i).trim(), orderBy: jql.slice(i).trim() };
  }
  return { where: jql.trim(), orderBy: undefined };
}

/** The JQL of a selection: the user's query and the labels (both: issues matching both), ordered by key unless it says otherwise. */
export function selectionJql(sel: JiraSelection): string | undefined {
  const parts: string[] = [];
  let orderBy: string | undefined;
  if (sel.jql) {
    const s = splitOrderBy(sel.jql);
    if (s.where) parts.push(`(${s.where})`);
    orderBy = s.orderBy;
  }
  if (sel.labels.length) parts.push(`labels in (${sel.labels.map(quote).join(', ')})`);
  if (parts.length === 0 && !orderBy) return undefined;
  return `${parts.join(' AND ')} ${orderBy ?? 'ORDER BY key ASC'}`.trim();
}

const time = (s: string | undefined) => {
  const t = Date.parse(s ?? '');
  return Number.isFinite(t) ? t : 0;
};

export function issueItem(issue: JiraIssueData, order: number, url: string): ExportItem {
  return {
    id: issue.key,
    kind: 'jira-issue',
    title: `${issue.key}: ${issue.summary}`,
    version: time(issue.updated),
    spaceKey: issue.project?.key ?? issue.key.replace(/-\d+$/, ''),
    parentId: issue.parent?.key ?? null,
    path: `${JIRA_DIR}/${safeName(issue.key)}`,
    labels: issue.labels,
    authorId: issue.reporter,
    createdAt: issue.created,
    updatedAt: issue.updated,
    url,
    order,
    issueStatus: issue.status,
    status: 'fetched',
  };
}

/** Reads a cached issue back (undefined: not cached, or not an issue). */
export function cachedIssue(cache: ExportCache, key: string, version: number): JiraIssueData | undefined {
  const hit = cache.getBody(key, version);
  if (!hit) return undefined;
  try {
    const data = JSON.parse(hit.body) as JiraIssueData;
    return data.key === key ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Issues whose comments are paged at the same time (the Jira client's limiter still paces the requests). */
const COMPLETE_CONCURRENCY = 4;

/**
 * Caches the issues of a search (completing their comments unless this key + updated is cached already, up to
 * COMPLETE_CONCURRENCY issues at a time) and returns their items in the search's order. `useCache` false refetches
 * comments even for cached issues.
 */
async function takeIssues(jira: JiraClient, cache: ExportCache, useCache: boolean, found: AsyncIterable<JiraIssueData>, seen: Set<string>, firstOrder: number): Promise<ExportItem[]> {
  const slots: Array<ExportItem | Promise<ExportItem>> = [];
  const inFlight = new Set<Promise<void>>();
  const complete = async (issue: JiraIssueData, item: ExportItem): Promise<ExportItem> => {
    try {
      const full = await jira.complete(issue);
      cache.putBody({ id: issue.key, version: item.version, title: item.title, body: JSON.stringify(full) });
      return item;
    } catch (err) {
      // Deleted or hidden between the search and its comments: recorded as failed, the rest goes on.
      if (!(err instanceof RemoteError) || (err.code !== 'CSYNC_NOT_FOUND' && err.code !== 'CSYNC_FORBIDDEN')) throw err;
      return { ...item, status: 'failed', error: `${err.code}: the issue's comments could not be read (${err.message})` };
    }
  };
  try {
    for await (const issue of found) {
      if (seen.has(issue.key)) continue;
      seen.add(issue.key);
      const item = issueItem(issue, firstOrder + slots.length, jira.browseUrl(issue.key));
      if (useCache && cache.getBody(issue.key, item.version)) {
        slots.push(item);
        continue;
      }
      while (inFlight.size >= COMPLETE_CONCURRENCY) await Promise.race(inFlight);
      const p = complete(issue, item);
      const tracked: Promise<void> = p.then(
        () => void inFlight.delete(tracked),
        () => void inFlight.delete(tracked),
      );
      inFlight.add(tracked);
      slots.push(p);
    }
  } finally {
    // Nothing is left running when the search fails (each rejection is also handled by its `tracked`).
    await Promise.allSettled(slots);
  }
  return Promise.all(slots);
}

/** Issues by JQL / labels, in their parent tree (epics before their stories before their sub-tasks). */
export async function selectJira(jira: JiraClient, cache: ExportCache, useCache: boolean, sel: JiraSelection, seen: Set<string>, firstOrder = 0): Promise<ExportItem[]> {
  const jql = selectionJql(sel);
  if (!jql) return [];
  try {
    return issueTreeOrder(await takeIssues(jira, cache, useCache, jira.search(jql), seen, firstOrder), firstOrder);
  } catch (err) {
    // The user's query (or label) was refused: bad input, not a failure of Jira.
    if (err instanceof RemoteError && err.code === 'CSYNC_BAD_REQUEST' && /search/.test(err.path ?? '')) {
      throw new UsageError(`Jira refused the issue selection: ${err.serverMessage ?? err.message}`, { hint: `check --jql / --jira-label (the query sent: ${jql})` });
    }
    throw err;
  }
}

/** Issue keys Jira macros in a storage body point at, in order of appearance. */
export function jiraMacroKeys(storage: string): string[] {
  const keys: string[] = [];
  for (const m of storage.matchAll(/<ac:structured-macro\b[^>]*ac:name="jira"[^>]*>([\s\S]*?)<\/ac:structured-macro>/g)) {
    const key = /<ac:parameter ac:name="key">\s*([A-Za-z][A-Za-z0-9_]*-\d+)\s*<\/ac:parameter>/.exec(m[1]!)?.[1];
    if (key && !keys.includes(key.toUpperCase())) keys.push(key.toUpperCase());
  }
  return keys;
}

/** Issue keys a refused `key in (…)` search names as missing ("An issue with key 'X-9' does not exist …"). */
export function missingKeysOf(message: string | undefined, asked: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of (message ?? '').matchAll(/key '([A-Za-z][A-Za-z0-9_]*-\d+)'/g)) {
    const k = m[1]!.toUpperCase();
    if (asked.includes(k) && !out.includes(k)) out.push(k);
  }
  return out;
}

/**
 * The issues macros point at that are not exported yet: `key in (…)` searches of up to 100 keys. Jira refuses a
 * whole query (400) when one key does not exist or may not be seen, naming it: the named keys are dropped and the
 * rest searched again (one request more per missing key); an answer naming none of the keys falls back to one
 * search per key. The missing keys are reported in one warning (the pages keep a link to Jira for them).
 */
export async function fetchLinked(jira: JiraClient, cache: ExportCache, useCache: boolean, keys: readonly string[], seen: Set<string>, firstOrder: number, warn: (m: string) => void): Promise<ExportItem[]> {
  const want = keys.filter((k) => !seen.has(k));
  const items: ExportItem[] = [];
  const missing: string[] = [];
  const refused = (err: unknown): err is RemoteError => err instanceof RemoteError && err.code === 'CSYNC_BAD_REQUEST';
  for (let i = 0; i < want.length; i += KEYS_PER_SEARCH) {
    let group = want.slice(i, i + KEYS_PER_SEARCH);
    while (group.length) {
      try {
        items.push(...(await takeIssues(jira, cache, useCache, jira.search(`key in (${group.join(', ')}) ORDER BY key ASC`), seen, firstOrder + items.length)));
        break;
      } catch (err) {
        if (!refused(err)) throw err;
        const named = missingKeysOf(err.serverMessage, group);
        if (named.length) {
          missing.push(...named);
          group = group.filter((k) => !named.includes(k));
          continue;
        }
        for (const key of group) {
          try {
            items.push(...(await takeIssues(jira, cache, useCache, jira.search(`key = ${key}`), seen, firstOrder + items.length)));
          } catch (e) {
            if (!refused(e)) throw e;
            missing.push(key);
          }
        }
        break;
      }
    }
  }
  for (const k of want) if (!seen.has(k) && !missing.includes(k)) missing.push(k);
  if (missing.length) {
    warn(`${missing.length} Jira issue${missing.length === 1 ? '' : 's'} linked from pages ${missing.length === 1 ? 'was' : 'were'} not found or may not be seen: ${missing.join(', ')} (the pages link to Jira for ${missing.length === 1 ? 'it' : 'them'})`);
  }
  return issueTreeOrder(items, firstOrder);
}

/** Depth first by parent key (parents that are not exported count as roots), keeping the search order among siblings. */
export function issueTreeOrder(items: ExportItem[], firstOrder: number): ExportItem[] {
  const keys = new Set(items.map((i) => i.id));
  const kids = new Map<string | null, ExportItem[]>();
  for (const it of items) {
    const parent = it.parentId && keys.has(it.parentId) ? it.parentId : null;
    let list = kids.get(parent);
    if (!list) kids.set(parent, (list = []));
    list.push(it);
  }
  const out: ExportItem[] = [];
  const done = new Set<string>();
  const walk = (parent: string | null) => {
    for (const it of kids.get(parent) ?? []) {
      if (done.has(it.id)) continue;
      done.add(it.id);
      out.push(it);
      walk(it.id);
    }
  };
  walk(null);
  for (const it of items) if (!done.has(it.id)) out.push(it); // a parent cycle: keep them anyway
  return out.map((it, n) => ({ ...it, order: firstOrder + n }));
}

export function requireJira(jira: JiraClient | undefined): JiraClient {
  if (!jira) throw new UsageError('this export selects Jira issues but no Jira client is configured', { hint: 'set JIRA_URL (Data Center) or use a Cloud site; see `csync doctor`' });
  return jira;
}

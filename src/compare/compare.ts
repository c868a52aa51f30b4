/**
 * Compares two sets of pages (from sites, workspaces or export bundles) by their normalised Markdown. Pure: the
 * sides are loaded elsewhere (./sources.ts), the report is written elsewhere (./report.ts).
 *
 * Matching: by page id when both sides come from the same site (a page renamed or moved keeps its id, and is
 * reported as moved), by title path across sites (the titles from the space's top down). Across sites, a page left
 * over on each side with the same content is one page renamed or moved (reported as moved, not as removed + added).
 */
import { unifiedDiff } from '../engine/merge.js';

export interface ComparedPage {
  /** Page id on its site (absent for a workspace file not pushed yet). */
  id?: string | undefined;
  title: string;
  /** Titles from the top of the space down to this page. */
  titlePath: string[];
  /** The page as normalised Markdown (the project's converter, links by title, no per-site ids). */
  markdown: string;
}

export interface CompareSide {
  /** What the user named: `prod:DOC`, a folder, a zip. */
  label: string;
  kind: 'site' | 'workspace' | 'bundle' | 'jira';
  /** The site the pages come from (origin + path, no credentials), when known: same site → match by id. */
  site?: string | undefined;
  pages: ComparedPage[];
  /** Jira issues (export bundles, `jira:JQL`): absent when the side cannot hold issues (a site's space, a workspace). */
  issues?: ComparedIssue[] | undefined;
}

export interface ComparedIssue {
  key: string;
  /** `KEY: summary`. */
  title: string;
  /** The issue's Markdown as the export writes it: fields table, description, comments. */
  markdown: string;
}

export interface IssueRefOut {
  key: string;
  title: string;
}

export interface ChangedIssue {
  key: string;
  a: IssueRefOut;
  b: IssueRefOut;
  /** Unified diff of the issue's Markdown, its title line first (A → B). */
  diff: string;
}

/** Jira issues of two export bundles, matched by key. */
export interface IssueComparison {
  a: number;
  b: number;
  onlyInA: IssueRefOut[];
  onlyInB: IssueRefOut[];
  changed: ChangedIssue[];
  unchanged: number;
}

export interface PageRefOut {
  id: string | null;
  title: string;
  path: string;
}

export interface ChangedPage {
  a: PageRefOut;
  b: PageRefOut;
  /** Unified diff of the normalised Markdown (A → B). */
  diff: string;
}

export interface MovedPage {
  a: PageRefOut;
  b: PageRefOut;
  /** The content differs too: its diff (A → B), '' when equal. */
  diff: string;
}

export interface CompareReport {
  a: { label: string; kind: CompareSide['kind']; pages: number };
  b: { label: string; kind: CompareSide['kind']; pages: number };
  matchedBy: 'id' | 'title path';
  onlyInA: PageRefOut[];
  onlyInB: PageRefOut[];
  changed: ChangedPage[];
  moved: MovedPage[];
  unchanged: number;
  /** Jira issues, when both sides are export bundles and at least one holds issues. */
  issues?: IssueComparison | undefined;
  /** Why issues were not compared although one side holds some (the other side cannot hold issues). */
  issuesNotCompared?: string | undefined;
  equal: boolean;
}

const pathOf = (p: ComparedPage) => p.titlePath.join(' / ');
const keyOf = (p: ComparedPage) => p.titlePath.map((t) => t.normalize('NFC')).join('\u0000');
const ref = (p: ComparedPage): PageRefOut => ({ id: p.id ?? null, title: p.title, path: pathOf(p) });
const byPath = (x: { path: string }, y: { path: string }) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

/** Same site: both name one, and it is the same origin and path (case of the host and a trailing `/wiki` aside). */
export function sameSite(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const norm = (u: string) => {
    try {
      const x = new URL(u);
      return `${x.protocol}//${x.host.toLowerCase()}${x.pathname.replace(/\/+$/, '').replace(/\/wiki$/, '')}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

export function comparePages(a: CompareSide, b: CompareSide): CompareReport {
  const byId = sameSite(a.site, b.site) && a.pages.some((p) => p.id) && b.pages.some((p) => p.id);
  const onlyA: ComparedPage[] = [];
  const onlyB: ComparedPage[] = [];
  const changed: ChangedPage[] = [];
  const moved: MovedPage[] = [];
  let unchanged = 0;
  const label = (side: CompareSide, p: ComparedPage) => `${side.label}: ${pathOf(p)}`;
  const diffOf = (pa: ComparedPage, pb: ComparedPage) => (pa.markdown === pb.markdown ? '' : unifiedDiff(pa.markdown, pb.markdown, label(a, pa), label(b, pb)));

  const key = (p: ComparedPage) => (byId && p.id ? `id:${p.id}` : `path:${keyOf(p)}`);
  const bByKey = new Map<string, ComparedPage>();
  for (const p of b.pages) if (!bByKey.has(key(p))) bByKey.set(key(p), p);
  const matchedB = new Set<ComparedPage>();
  for (const pa of a.pages) {
    const pb = bByKey.get(key(pa));
    if (!pb || matchedB.has(pb)) {
      onlyA.push(pa);
      continue;
    }
    matchedB.add(pb);
    const diff = diffOf(pa, pb);
    if (keyOf(pa) !== keyOf(pb)) moved.push({ a: ref(pa), b: ref(pb), diff });
    else if (diff) changed.push({ a: ref(pa), b: ref(pb), diff });
    else unchanged++;
  }
  for (const pb of b.pages) if (!matchedB.has(pb)) onlyB.push(pb);

  // Across sites: a page on each side with the same content, each matched with nothing else, is one page moved.
  if (!byId) {
    const count = (list: ComparedPage[]) => {
      const m = new Map<string, number>();
      for (const p of list) m.set(p.markdown, (m.get(p.markdown) ?? 0) + 1);
      return m;
    };
    const ca = count(onlyA);
    const cb = count(onlyB);
    const pairs = onlyA.filter((p) => p.markdown.trim() !== '' && ca.get(p.markdown) === 1 && cb.get(p.markdown) === 1);
    for (const pa of pairs) {
      const pb = onlyB.find((x) => x.markdown === pa.markdown)!;
      moved.push({ a: ref(pa), b: ref(pb), diff: '' });
      onlyA.splice(onlyA.indexOf(pa), 1);
      onlyB.splice(onlyB.indexOf(pb), 1);
    }
  }

  const onlyInA = onlyA.map(ref).sort(byPath);
  const onlyInB = onlyB.map(ref).sort(byPath);
  changed.sort((x, y) => byPath(x.a, y.a));
  moved.sort((x, y) => byPath(x.a, y.a));
  const withIssues = a.issues?.length || b.issues?.length;
  const issues = withIssues && a.issues && b.issues ? compareIssues(a, b) : undefined;
  const without = !a.issues ? a : b;
  const issuesNotCompared = withIssues && !issues ? `${without.label} is a ${without.kind}: only export bundles and jira:JQL hold Jira issues to compare` : undefined;
  const issuesEqual = !issues || (issues.onlyInA.length === 0 && issues.onlyInB.length === 0 && issues.changed.length === 0);
  return {
    a: { label: a.label, kind: a.kind, pages: a.pages.length },
    b: { label: b.label, kind: b.kind, pages: b.pages.length },
    matchedBy: byId ? 'id' : 'title path',
    onlyInA,
    onlyInB,
    changed,
    moved,
    unchanged,
    ...(issues ? { issues } : {}),
    ...(issuesNotCompared ? { issuesNotCompared } : {}),
    equal: onlyInA.length === 0 && onlyInB.length === 0 && changed.length === 0 && moved.length === 0 && issuesEqual,
  };
}

/** Issue keys in Jira's order: project, then number (DEMO-9 before DEMO-10). */
export function byIssueKey(x: { key: string }, y: { key: string }): number {
  const split = (k: string) => /^(.*?)-(\d+)$/.exec(k) ?? [k, k, '0'];
  const [, px, nx] = split(x.key);
  const [, py, ny] = split(y.key);
  return px! < py! ? -1 : px! > py! ? 1 : Number(nx) - Number(ny) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
}

/** Jira issues of two bundles matched by key (case aside): only in A, only in B, changed (title or Markdown). */
export function compareIssues(a: CompareSide, b: CompareSide): IssueComparison {
  const norm = (k: string) => k.toUpperCase();
  const text = (i: ComparedIssue) => `# ${i.title}\n\n${i.markdown.replace(/\s+$/, '')}\n`;
  const ref = (i: ComparedIssue): IssueRefOut => ({ key: i.key, title: i.title });
  const inB = new Map<string, ComparedIssue>();
  for (const i of b.issues ?? []) if (!inB.has(norm(i.key))) inB.set(norm(i.key), i);
  const seen = new Set<string>();
  const onlyInA: IssueRefOut[] = [];
  const changed: ChangedIssue[] = [];
  let unchanged = 0;
  for (const ia of a.issues ?? []) {
    const k = norm(ia.key);
    if (seen.has(k)) continue;
    seen.add(k);
    const ib = inB.get(k);
    if (!ib) {
      onlyInA.push(ref(ia));
      continue;
    }
    const ta = text(ia);
    const tb = text(ib);
    if (ta === tb) unchanged++;
    else changed.push({ key: ia.key, a: ref(ia), b: ref(ib), diff: unifiedDiff(ta, tb, `${a.label}: ${ia.key}`, `${b.label}: ${ib.key}`) });
  }
  const onlyInB = [...inB.entries()].filter(([k]) => !seen.has(k)).map(([, i]) => ref(i));
  return {
    a: a.issues?.length ?? 0,
    b: b.issues?.length ?? 0,
    onlyInA: onlyInA.sort(byIssueKey),
    onlyInB: onlyInB.sort(byIssueKey),
    changed: changed.sort(byIssueKey),
    unchanged,
  };
}

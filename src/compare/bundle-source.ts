/**
 * Reads the pages and Jira issues of an export bundle (folder or zip) for compare: from pages.jsonl (storage bodies,
 * parent ids; an issue's Markdown) when the bundle has it, else from its per-item Markdown files (the manifest says
 * which file is which page or issue). A zip is
 * read entry by entry under the same safety rules as `export extract` (no links, no `..`, no bombs).
 */
import { statSync } from 'node:fs';
import { CsyncError } from '../core/errors.js';
import { readTextSafe } from '../local/safe-fs.js';

export interface BundlePage {
  id: string;
  title: string;
  spaceKey: string;
  parentId: string | null;
  /** Bundle file of the page's Markdown (markdown/SPACE/…/Title.md). */
  file: string;
  storage?: string | undefined;
  /** The page's Markdown without the export's header (title, version line). */
  markdown?: string | undefined;
}

/** A Jira issue of the bundle: its key, title (`KEY: summary`) and Markdown (fields table, description, comments). */
export interface BundleIssue {
  key: string;
  title: string;
  project: string;
  markdown: string;
}

export interface BundleContent {
  source: 'jsonl' | 'markdown';
  site: string;
  pages: BundlePage[];
  issues: BundleIssue[];
}

interface ManifestItem {
  id: string;
  kind: string;
  title: string;
  spaceKey: string;
  status: string;
  path: string;
  /** Jira issues: the issue key. */
  key?: string;
}

const WANTED = (name: string) => name === 'manifest.json' || name === 'pages.jsonl' || (name.startsWith('markdown/') && name.endsWith('.md'));

export async function readBundle(path: string): Promise<BundleContent> {
  const files = new Map<string, string>();
  if (statSync(path).isFile()) {
    const { readZip } = await import('../export/zip-read.js');
    await readZip(path, async (e) => {
      if (e.isDir || !WANTED(e.name)) return;
      const chunks: Buffer[] = [];
      for await (const c of await e.open()) chunks.push(c as Buffer);
      files.set(e.name, Buffer.concat(chunks).toString('utf8'));
    });
  } else {
    for (const name of ['manifest.json', 'pages.jsonl']) {
      const text = await readTextSafe(path, name).catch(() => undefined);
      if (text !== undefined) files.set(name, text);
    }
  }
  const manifestText = files.get('manifest.json');
  if (manifestText === undefined) throw notBundle(path, 'it has no manifest.json');
  let manifest: { tool?: string; site?: string; items?: ManifestItem[] };
  try {
    manifest = JSON.parse(manifestText) as typeof manifest;
  } catch (err) {
    throw notBundle(path, `its manifest.json is not JSON (${(err as Error).message})`);
  }
  if (manifest.tool !== 'csync' || !Array.isArray(manifest.items)) throw notBundle(path, 'its manifest.json was not written by csync export');
  const items = manifest.items.filter((i) => i.kind === 'page' && i.status !== 'failed');
  const issueItems = manifest.items.filter((i) => i.kind === 'jira-issue' && i.status !== 'failed');
  const jsonl = files.get('pages.jsonl');
  if (jsonl !== undefined) {
    const pages: BundlePage[] = [];
    const issues: BundleIssue[] = [];
    for (const [n, line] of jsonl.split('\n').entries()) {
      if (!line.trim()) continue;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw notBundle(path, `line ${n + 1} of pages.jsonl is not JSON`);
      }
      if (row.kind === 'jira-issue') {
        const key = String(row.key ?? row.id);
        issues.push({ key, title: String(row.title ?? key), project: String(row.project ?? ''), markdown: typeof row.markdown === 'string' ? row.markdown : '' });
        continue;
      }
      if (row.kind !== undefined && row.kind !== 'page') continue;
      pages.push({
        id: String(row.id),
        title: String(row.title ?? ''),
        spaceKey: String(row.space ?? ''),
        parentId: row.parentId == null ? null : String(row.parentId),
        file: String(row.path ?? ''),
        storage: typeof row.storage === 'string' ? row.storage : '',
      });
    }
    return { source: 'jsonl', site: manifest.site ?? '', pages, issues };
  }
  const hasFile = (i: ManifestItem) => i.path.startsWith('markdown/') && i.path.endsWith('.md');
  const withFiles = items.filter(hasFile);
  const issuesWithFiles = issueItems.filter(hasFile);
  if (!withFiles.length && !issuesWithFiles.length) throw notBundle(path, 'it holds neither pages.jsonl nor Markdown pages', 'export with --format json (or md) to compare a bundle');
  const fileText = async (i: ManifestItem): Promise<string> => {
    const text = files.get(i.path) ?? (statSync(path).isFile() ? undefined : await readTextSafe(path, i.path).catch(() => undefined));
    if (text === undefined) throw notBundle(path, `the manifest lists ${i.path} but the bundle does not hold it`, 'run csync export verify on it');
    return text;
  };
  const pages: BundlePage[] = [];
  for (const i of withFiles) pages.push({ id: i.id, title: i.title, spaceKey: i.spaceKey, parentId: null, file: i.path, markdown: stripHeader(await fileText(i)) });
  const issues: BundleIssue[] = [];
  for (const i of issuesWithFiles) issues.push({ key: i.key ?? i.id, title: i.title, project: i.spaceKey, markdown: stripHeader(await fileText(i)) });
  return { source: 'markdown', site: manifest.site ?? '', pages, issues };
}

/**
 * The export writes `# Title`, a blank line, `_Space … · [source](…)_` (an issue: `_Jira PROJECT · status · updated
 * · [source](…)_`) and a blank line above the item's own text.
 */
function stripHeader(text: string): string {
  const m = /^# [^\n]*\n\n_(?:Space|Jira) [^\n]*_\n\n?/.exec(text);
  return m ? text.slice(m[0].length) : text;
}

function notBundle(path: string, why: string, hint = 'name a folder or .zip written by csync export'): CsyncError {
  return new CsyncError('CSYNC_USAGE', `${path} is not an export bundle compare can read: ${why}`, { hint });
}

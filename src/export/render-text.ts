/** The Markdown and JSON Lines renderers. */
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Heading, Root } from 'mdast';
import { anchorOf, JSONL_FILE, MD_DIR, mdFileOf, relativeTo, SINGLE_MD_FILE } from './links.js';
import { toMarkdown } from './markdown.js';
import { BundleFileStream } from './file-stream.js';
import { countText, depths, docOf, markdownOf, metaText, writeBundleFile, type RenderContext } from './render-context.js';
import type { JiraIssueData } from '../remote/jira/index.js';
import { bodyMarkdown } from './issue-markdown.js';
import type { ExportItem } from './types.js';

const escapeMd = (s: string) => s.replace(/([\\`*_[\]<>#|])/g, '\\$1');

/** One page's Markdown file, with a small header (title, source, version). Returns bytes written. */
export function renderPageMarkdown(ctx: RenderContext, item: ExportItem): number {
  const file = mdFileOf(item);
  return writeBundleFile(ctx.stage, file, pageHeader(item) + markdownOf(ctx, item, file));
}

const pageHeader = (item: ExportItem) => `# ${escapeMd(item.title)}\n\n_${escapeMd(metaText(item))} · [source](${item.url})_\n\n`;

/**
 * A page's Markdown for pages.jsonl: the same text as its Markdown file (same links, from the same file), so when the
 * bundle has those files it is read back from there (under its header) instead of converted a second time.
 */
function jsonMarkdownOf(ctx: RenderContext, it: ExportItem): string {
  if (it.kind === 'page' && ctx.spec.formats.includes('md') && !ctx.spec.singleFile) {
    const text = readStageText(ctx.stage, mdFileOf(it));
    const header = pageHeader(it);
    if (text?.startsWith(header)) return text.slice(header.length);
  }
  return markdownOf(ctx, it, mdFileOf(it));
}

/** A file of the stage as text, never through a link; undefined when it is not there. */
function readStageText(stage: string, rel: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(stage, ...rel.split('/')), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** markdown/index.md: the page tree as nested links. */
export function renderMarkdownIndex(ctx: RenderContext): number {
  const d = depths(ctx.items);
  const index = `${MD_DIR}/index.md`;
  const lines = [`# ${escapeMd(ctx.spec.title)}`, '', `${countText(ctx.items)}.`, ''];
  for (const it of ctx.items) lines.push(`${'  '.repeat(d.get(it.id) ?? 0)}- [${escapeMd(it.title)}](${encodeURI(relativeTo(index, mdFileOf(it))).replace(/\(/g, "%28").replace(/\)/g, "%29")})`);
  return writeBundleFile(ctx.stage, index, lines.join('\n') + '\n');
}

/** markdown/export.md: every page in one file, a table of contents first; headings shift under each page's title. Streamed. */
export function renderSingleMarkdown(ctx: RenderContext): number {
  const d = depths(ctx.items);
  const out = new BundleFileStream(ctx.stage, SINGLE_MD_FILE);
  try {
    out.write([`# ${escapeMd(ctx.spec.title)}`, '', '## Contents', ''].join('\n') + '\n');
    for (const it of ctx.items) out.write(`${'  '.repeat(d.get(it.id) ?? 0)}- [${escapeMd(it.title)}](#${anchorOf(it)})\n`);
    for (const it of ctx.items) {
      const doc = docOf(ctx, it, SINGLE_MD_FILE, true);
      shiftHeadings(doc.tree, 2);
      out.write('\n' + [`<a id="${anchorOf(it)}"></a>`, '', `## ${escapeMd(it.title)}`, '', `_${escapeMd(metaText(it, false))} · [source](${it.url})_`, '', toMarkdown(doc.tree)].join('\n'));
    }
  } finally {
    out.close();
  }
  return out.bytes;
}

export function shiftHeadings(tree: Root, by: number): void {
  const walk = (n: { type: string; children?: unknown[] }) => {
    if (n.type === 'heading') (n as Heading).depth = Math.min(6, (n as Heading).depth + by) as Heading['depth'];
    for (const c of (n.children ?? []) as Array<{ type: string; children?: unknown[] }>) walk(c);
  };
  walk(tree);
}

/** pages.jsonl: one JSON object per page (then per Jira issue), in tree order. Streamed: one line in memory at a time. */
export function renderJsonLines(ctx: RenderContext): number {
  const out = new BundleFileStream(ctx.stage, JSONL_FILE);
  try {
    for (const it of ctx.items) out.write(JSON.stringify(jsonLineOf(ctx, it)) + '\n');
  } finally {
    out.close();
  }
  return out.bytes;
}

function jsonLineOf(ctx: RenderContext, it: ExportItem): Record<string, unknown> {
  const body = ctx.body(it);
  if (it.kind === 'jira-issue') return issueJson(ctx, it, JSON.parse(body.body) as JiraIssueData);
  return {
    id: it.id,
    kind: it.kind,
    title: it.title,
    space: it.spaceKey,
    parentId: it.parentId,
    path: mdFileOf(it),
    labels: it.labels,
    version: it.version,
    author: it.authorId ?? null,
    createdAt: it.createdAt ?? null,
    updatedAt: it.updatedAt ?? null,
    url: it.url,
    storage: body.body,
    markdown: jsonMarkdownOf(ctx, it),
  };
}

/** The JSON Lines object of a Jira issue: its fields, its bodies as the API sent them and as Markdown, its comments. */
function issueJson(ctx: RenderContext, it: ExportItem, i: JiraIssueData): Record<string, unknown> {
  return {
    id: it.id,
    kind: it.kind,
    key: i.key,
    title: it.title,
    summary: i.summary,
    project: it.spaceKey,
    path: mdFileOf(it),
    status: i.status,
    type: i.type ?? null,
    priority: i.priority ?? null,
    assignee: i.assignee ?? null,
    reporter: i.reporter ?? null,
    labels: i.labels,
    components: i.components,
    fixVersions: i.fixVersions,
    parent: i.parent?.key ?? null,
    links: i.links.map((l) => ({ relation: l.relation, key: l.key })),
    attachments: i.attachments.map((a) => ({ filename: a.filename, size: a.size ?? null, mimeType: a.mimeType ?? null })),
    createdAt: i.created,
    updatedAt: i.updated,
    url: it.url,
    mentionedOn: (ctx.mentions?.get(it.id) ?? []).map((p) => p.id),
    description: apiBody(i.description),
    descriptionMarkdown: bodyMarkdown(i.description, 0),
    comments: [...i.comments]
      .sort((a, b) => Date.parse(a.created) - Date.parse(b.created))
      .map((c) => ({ id: c.id, author: c.author ?? null, createdAt: c.created, updatedAt: c.updated ?? null, body: apiBody(c.body), markdown: bodyMarkdown(c.body, 0) })),
    markdown: markdownOf(ctx, it, mdFileOf(it)),
  };
}

/** A body as the API sent it: the ADF document (Cloud) or the wiki markup string (Data Center). */
const apiBody = (b: JiraIssueData['description']): unknown => (b === null ? null : b.format === 'adf' ? b.doc : b.text);

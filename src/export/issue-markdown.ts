/**
 * A Jira issue as readable Markdown: a fields table, the description, then the comments oldest first. Bodies come
 * from the format layer's converters (ADF on Cloud, wiki markup on Data Center). Links to other issues and to the
 * pages that mention this one point inside the bundle when those are exported, else to Jira. The HTML and PDF
 * renderers walk the mdast of this same text, like a page's.
 */
import type { Root } from 'mdast';
import { adfToMarkdown } from '../format/adf/to-markdown.js';
import { wikiToMarkdown } from '../format/wiki/to-markdown.js';
import type { JiraBody, JiraIssueData } from '../remote/jira/index.js';
import { findAttachment } from './jira-attachments.js';
import { parseMarkdown, toMarkdown } from './markdown.js';

export interface IssueLinks {
  /** Bundle-relative target of an exported issue (file path or #anchor), or undefined. */
  issue(key: string): string | undefined;
  /** Where the issue is read in Jira. */
  browse(key: string): string;
  /** Exported pages whose Jira macros point at this issue: title and target. */
  mentions: ReadonlyArray<{ title: string; target: string }>;
  /** Where an attachment of the issue is read: its file in the bundle (relative), undefined when the bundle lacks it. */
  attachment?: ((a: IssueAttachment) => string | undefined) | undefined;
}

type IssueAttachment = JiraIssueData['attachments'][number];

/** Attachment file names as bodies name them (ADF media `alt`, wiki `!name!`) → where the link goes. */
export interface BodyFiles {
  target(nameOrId: string): string | undefined;
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n+/g, ' ').replace(/([`*_[\]<>])/g, '\\$1');
const when = (iso: string | undefined) => {
  const t = Date.parse(iso ?? '');
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
};

export function bodyMarkdown(body: JiraBody | null, headingShift: number, files?: BodyFiles): string {
  if (!body) return '';
  const adfTarget = (a: Record<string, unknown>) => {
    const name = typeof a.alt === 'string' && a.alt ? a.alt : typeof a.id === 'string' ? a.id : '';
    return files?.target(name) ?? name;
  };
  const text = body.format === 'adf' ? adfToMarkdown(body.doc, { mediaTarget: adfTarget }) : wikiToMarkdown(body.text, { attachmentTarget: (n) => files?.target(n) ?? n });
  if (!headingShift || !/^#/m.test(text)) return text.trim();
  const tree = parseMarkdown(text);
  shift(tree, headingShift);
  return toMarkdown(tree).trim();
}

function shift(tree: Root, by: number): void {
  const walk = (n: { type: string; depth?: number; children?: unknown[] }) => {
    if (n.type === 'heading' && n.depth) n.depth = Math.min(6, n.depth + by);
    for (const c of (n.children ?? []) as Array<{ type: string; depth?: number; children?: unknown[] }>) walk(c);
  };
  walk(tree as never);
}

function issueRef(key: string, summary: string | undefined, links: IssueLinks): string {
  const label = cell(summary ? `${key}: ${summary}` : key);
  return `[${label}](${encodeURI(links.issue(key) ?? links.browse(key))})`;
}

/** The issue's Markdown body (without its title line: each format writes its own title). */
export function issueMarkdown(i: JiraIssueData, links: IssueLinks): string {
  const rows: Array<[string, string]> = [
    ['Status', cell(i.status)],
    ['Type', cell(i.type ?? '')],
    ['Priority', cell(i.priority ?? 'None')],
    ['Assignee', cell(i.assignee ?? 'Unassigned')],
    ['Reporter', cell(i.reporter ?? '')],
    ['Created', when(i.created)],
    ['Updated', when(i.updated)],
  ];
  if (i.labels.length) rows.push(['Labels', cell(i.labels.join(', '))]);
  if (i.components.length) rows.push(['Components', cell(i.components.join(', '))]);
  if (i.fixVersions.length) rows.push(['Fix versions', cell(i.fixVersions.join(', '))]);
  if (i.parent) rows.push(['Parent', issueRef(i.parent.key, i.parent.summary, links)]);
  if (i.links.length) rows.push(['Links', i.links.map((l) => `${cell(l.relation)} ${issueRef(l.key, l.summary, links)}`).join('; ')]);
  if (i.attachments.length) {
    const file = (a: IssueAttachment) => {
      const size = a.size !== undefined ? ` (${a.size} bytes)` : '';
      const target = links.attachment?.(a);
      return target ? `[${cell(a.filename)}](${encodeURI(target).replace(/\(/g, '%28').replace(/\)/g, '%29')})${size}` : cell(`${a.filename}${size}`);
    };
    rows.push(['Attachments', i.attachments.map(file).join(', ')]);
  }
  if (links.mentions.length) rows.push(['Mentioned on', links.mentions.map((m) => `[${cell(m.title)}](${encodeURI(m.target)})`).join(', ')]);
  rows.push(['In Jira', `[${cell(i.key)}](${encodeURI(links.browse(i.key))})`]);
  const out = ['| Field | Value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v || ' '} |`), ''];
  // Images and files a body shows: the bundle's copy when there is one, else the attachment in Jira.
  const files: BodyFiles = {
    target: (nameOrId) => {
      const a = findAttachment(i.attachments, nameOrId);
      return a ? (links.attachment?.(a) ?? a.url) : undefined;
    },
  };
  const description = bodyMarkdown(i.description, 2, files);
  out.push('## Description', '', description || '_No description._', '');
  const comments = [...i.comments].sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || Number(a.id) - Number(b.id));
  out.push(`## Comments (${comments.length})`, '');
  if (comments.length === 0) out.push('_No comments._', '');
  for (const c of comments) {
    out.push(`### ${cell(c.author ?? 'Someone')} · ${when(c.created)}`, '', bodyMarkdown(c.body, 3, files) || '_(empty)_', '');
  }
  return out.join('\n');
}

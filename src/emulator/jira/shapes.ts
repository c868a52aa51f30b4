/**
 * How the emulator's Jira answers look: issues, users, comments as Jira Cloud (REST v3: ADF bodies, accountId
 * users) and Data Center (REST v2: wiki markup bodies, users by name) show them. Dates in Jira's format
 * (2026-11-02T10:15:30.000+0000).
 */
import { createHash } from 'node:crypto';
import { LINK_TYPES, STATUS_CATEGORY, type Block, type JiraComment, type JiraIssue, type JiraStore, type JiraUser } from './store.js';

export type JiraFlavour = 'cloud' | 'data-center';

export const jiraDate = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

export function jiraError(status: number, message: string): { errorMessages: string[]; errors: Record<string, string> } {
  void status;
  return { errorMessages: [message], errors: {} };
}

// ---- bodies ---------------------------------------------------------------------------------------------------

type AdfNode = { type: string; text?: string; marks?: Array<{ type: string }>; attrs?: Record<string, unknown>; content?: AdfNode[] };

function adfInline(text: string): AdfNode[] {
  const out: AdfNode[] = [];
  for (const part of text.split(/(\*[^*\n]+\*|`[^`\n]+`)/)) {
    if (!part) continue;
    if (part.startsWith('*') && part.endsWith('*') && part.length > 2) out.push({ type: 'text', text: part.slice(1, -1), marks: [{ type: 'strong' }] });
    else if (part.startsWith('`') && part.endsWith('`') && part.length > 2) out.push({ type: 'text', text: part.slice(1, -1), marks: [{ type: 'code' }] });
    else out.push({ type: 'text', text: part });
  }
  return out;
}

/** A stable uuid-shaped media id for a file name (what Jira's media service would have assigned). */
function mediaId(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const para = (text: string): AdfNode => ({ type: 'paragraph', content: adfInline(text) });

export function toAdf(blocks: readonly Block[]): { version: 1; type: 'doc'; content: AdfNode[] } {
  const content: AdfNode[] = blocks.map((b): AdfNode => {
    if ('h' in b) return { type: 'heading', attrs: { level: b.level ?? 2 }, content: adfInline(b.h) };
    if ('p' in b) return para(b.p);
    if ('ul' in b) return { type: 'bulletList', content: b.ul.map((i) => ({ type: 'listItem', content: [para(i)] })) };
    if ('ol' in b) return { type: 'orderedList', attrs: { order: 1 }, content: b.ol.map((i) => ({ type: 'listItem', content: [para(i)] })) };
    if ('code' in b) return { type: 'codeBlock', ...(b.lang ? { attrs: { language: b.lang } } : {}), content: [{ type: 'text', text: b.code }] };
    if ('quote' in b) return { type: 'blockquote', content: [para(b.quote)] };
    // Jira Cloud's media node names the file in `alt`; its `id` is the media service's, not the attachment's.
    if ('image' in b) return { type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs: { id: mediaId(b.image), type: 'file', collection: '', alt: b.image } }] };
    return { type: 'panel', attrs: { panelType: b.kind }, content: [para(b.panel)] };
  });
  return { version: 1, type: 'doc', content };
}

export function toWiki(blocks: readonly Block[]): string {
  const inline = (t: string) => t.replace(/`([^`\n]+)`/g, '{{$1}}');
  return blocks
    .map((b) => {
      if ('h' in b) return `h${b.level ?? 2}. ${inline(b.h)}`;
      if ('p' in b) return inline(b.p);
      if ('ul' in b) return b.ul.map((i) => `* ${inline(i)}`).join('\n');
      if ('ol' in b) return b.ol.map((i) => `# ${inline(i)}`).join('\n');
      if ('code' in b) return `{code${b.lang ? `:${b.lang}` : ''}}\n${b.code}\n{code}`;
      if ('quote' in b) return `bq. ${inline(b.quote)}`;
      if ('image' in b) return `!${b.image}!`;
      return `{${b.kind}}\n${inline(b.panel)}\n{${b.kind}}`;
    })
    .join('\n\n');
}

const body = (blocks: readonly Block[] | undefined, flavour: JiraFlavour) => (blocks === undefined ? null : flavour === 'cloud' ? toAdf(blocks) : toWiki(blocks));

// ---- users, comments, issues ------------------------------------------------------------------------------------

export function userJson(u: JiraUser | undefined, origin: string, flavour: JiraFlavour): Record<string, unknown> | null {
  if (!u) return null;
  const api = flavour === 'cloud' ? 3 : 2;
  return flavour === 'cloud'
    ? { self: `${origin}/rest/api/${api}/user?accountId=${u.accountId}`, accountId: u.accountId, displayName: u.displayName, active: true, accountType: 'atlassian', timeZone: 'Etc/UTC' }
    : { self: `${origin}/rest/api/${api}/user?username=${u.name}`, name: u.name, key: `JIRAUSER${u.accountId.slice(-5)}`, displayName: u.displayName, emailAddress: u.email, active: true, timeZone: 'Etc/UTC' };
}

export function commentJson(store: JiraStore, issue: JiraIssue, c: JiraComment, origin: string, flavour: JiraFlavour): Record<string, unknown> {
  const api = flavour === 'cloud' ? 3 : 2;
  const author = userJson(store.users.get(c.author), origin, flavour);
  return { self: `${origin}/rest/api/${api}/issue/${issue.id}/comment/${c.id}`, id: c.id, author, updateAuthor: author, body: body(c.body, flavour), created: jiraDate(c.created), updated: jiraDate(c.updated), jsdPublic: true };
}

/** Comments embedded in an issue's `comment` field: the first page only, like Jira. */
export const EMBEDDED_COMMENTS = 20;

function statusJson(name: string) {
  const cat = STATUS_CATEGORY[name] ?? STATUS_CATEGORY['To Do']!;
  return { name, id: String(Object.keys(STATUS_CATEGORY).indexOf(name) + 1), statusCategory: cat };
}

function issueRef(store: JiraStore, key: string, origin: string, api: number) {
  const i = store.issues.get(key);
  if (!i) return undefined;
  return { id: i.id, key: i.key, self: `${origin}/rest/api/${api}/issue/${i.id}`, fields: { summary: i.summary, status: statusJson(i.status), issuetype: { name: i.type, subtask: i.type === 'Sub-task' } } };
}

/** Every field the emulator knows, by its Jira name. */
const ALL_FIELDS = ['summary', 'status', 'issuetype', 'priority', 'assignee', 'reporter', 'created', 'updated', 'labels', 'components', 'fixVersions', 'issuelinks', 'parent', 'project', 'description', 'comment', 'attachment'] as const;

/**
 * Which fields to answer: `*all` / `*navigable` (everything we have; navigable leaves out the comments), names,
 * `-name` exclusions; `fallback` when the request names none (v3 search/jql answers only the id; v2 all navigable).
 */
export function fieldSet(requested: readonly string[], fallback: 'id' | 'navigable' | 'all'): Set<string> {
  const names = requested.flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  const out = new Set<string>();
  const addAll = (navigable: boolean) => ALL_FIELDS.forEach((f) => (navigable && f === 'comment' ? undefined : out.add(f)));
  if (names.length === 0) {
    if (fallback !== 'id') addAll(fallback === 'navigable');
    return out;
  }
  for (const n of names) {
    if (n === '*all') addAll(false);
    else if (n === '*navigable') addAll(true);
    else if (!n.startsWith('-')) out.add(n);
  }
  for (const n of names) if (n.startsWith('-')) out.delete(n.slice(1));
  return out;
}

export function issueJson(store: JiraStore, i: JiraIssue, fields: Set<string>, origin: string, flavour: JiraFlavour): Record<string, unknown> {
  const api = flavour === 'cloud' ? 3 : 2;
  const user = (id: string | undefined) => userJson(id ? store.users.get(id) : undefined, origin, flavour);
  const project = store.projects.get(i.project);
  const f: Record<string, unknown> = {};
  const all: Record<string, () => unknown> = {
    summary: () => i.summary,
    status: () => statusJson(i.status),
    issuetype: () => ({ name: i.type, subtask: i.type === 'Sub-task', hierarchyLevel: i.type === 'Epic' ? 1 : i.type === 'Sub-task' ? -1 : 0 }),
    priority: () => (i.priority ? { name: i.priority, id: String(['Highest', 'High', 'Medium', 'Low', 'Lowest'].indexOf(i.priority) + 1) } : null),
    assignee: () => user(i.assignee),
    reporter: () => user(i.reporter),
    created: () => jiraDate(i.created),
    updated: () => jiraDate(i.updated),
    labels: () => [...i.labels],
    components: () => i.components.map((name, n) => ({ id: String(10100 + n), name, self: `${origin}/rest/api/${api}/component/${10100 + n}` })),
    fixVersions: () => i.fixVersions.map((name, n) => ({ id: String(10200 + n), name, released: false, archived: false })),
    issuelinks: () =>
      store.linksOf(i.key).map((l) => {
        const type = LINK_TYPES[l.type];
        return l.from === i.key ? { id: l.id, type, outwardIssue: issueRef(store, l.to, origin, api) } : { id: l.id, type, inwardIssue: issueRef(store, l.from, origin, api) };
      }),
    parent: () => (i.parent ? issueRef(store, i.parent, origin, api) : undefined),
    project: () => (project ? { id: project.id, key: project.key, name: project.name, self: `${origin}/rest/api/${api}/project/${project.id}` } : undefined),
    description: () => body(i.description, flavour),
    comment: () => ({ comments: i.comments.slice(0, EMBEDDED_COMMENTS).map((c) => commentJson(store, i, c, origin, flavour)), maxResults: EMBEDDED_COMMENTS, total: i.comments.length, startAt: 0 }),
    attachment: () =>
      i.attachments.map((a) => ({ id: a.id, filename: a.filename, mimeType: a.mimeType, size: a.data.length, created: jiraDate(a.created), author: user(a.author), content: `${origin}/rest/api/${api}/attachment/content/${a.id}`, self: `${origin}/rest/api/${api}/attachment/${a.id}` })),
  };
  for (const name of fields) {
    const get = all[name];
    if (!get) continue;
    const v = get();
    if (v !== undefined) f[name] = v;
  }
  return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: i.id, self: `${origin}/rest/api/${api}/issue/${i.id}`, key: i.key, fields: f };
}

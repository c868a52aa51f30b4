/**
 * The emulator's Jira: projects, users, issues with the common fields, comments, links and attachments. Bodies
 * (descriptions, comments) are kept as a small block model and served as ADF (Cloud, /rest/api/3) or wiki markup
 * (Data Center, /rest/api/2), so one store answers both flavours with the same content.
 */
import { compareKeys, JqlError, keyValues, matches, parseJql, sortSubjects, type JqlSubject } from './jql.js';

/** Inline text may hold *bold* runs and `code` runs (rendered as marks in ADF, kept as is in wiki markup). */
export type Block =
  | { h: string; level?: number }
  | { p: string }
  | { ul: string[] }
  | { ol: string[] }
  | { code: string; lang?: string }
  | { quote: string }
  | { panel: string; kind: 'info' | 'note' | 'warning' }
  /** An attached file shown in the body (ADF mediaSingle / wiki `!name!`), by its file name. */
  | { image: string };

export interface JiraUser {
  accountId: string;
  /** Data Center user name. */
  name: string;
  displayName: string;
  email: string;
}

export interface JiraComment {
  id: string;
  author: string;
  body: Block[];
  created: number;
  updated: number;
}

export interface JiraAttachment {
  id: string;
  filename: string;
  mimeType: string;
  data: Buffer;
  created: number;
  author: string;
}

export interface JiraIssue {
  id: string;
  key: string;
  project: string;
  summary: string;
  status: string;
  type: string;
  priority: string | undefined;
  assignee: string | undefined;
  reporter: string;
  created: number;
  updated: number;
  labels: string[];
  components: string[];
  fixVersions: string[];
  parent: string | undefined;
  description: Block[] | undefined;
  comments: JiraComment[];
  attachments: JiraAttachment[];
}

export interface JiraLink {
  id: string;
  type: 'Blocks' | 'Relates' | 'Duplicate';
  from: string;
  to: string;
}

export interface JiraProject {
  id: string;
  key: string;
  name: string;
  lead: string;
}

export const LINK_TYPES = {
  Blocks: { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  Relates: { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
  Duplicate: { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
} as const;

export const STATUS_CATEGORY: Record<string, { id: number; key: string; name: string; colorName: string }> = {
  'To Do': { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  'In Progress': { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  'In Review': { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  Done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
};

export class JiraStore {
  readonly projects = new Map<string, JiraProject>();
  readonly users = new Map<string, JiraUser>();
  readonly issues = new Map<string, JiraIssue>();
  readonly links: JiraLink[] = [];
  private nextId = 10000;
  private readonly counters = new Map<string, number>();
  now: () => number = Date.now;
  /** Bumped by every change (what the emulator's --data persistence compares). */
  changes = 0;

  id(): string {
    this.changes++;
    return String(this.nextId++);
  }

  addUser(u: JiraUser): JiraUser {
    this.users.set(u.accountId, u);
    return u;
  }

  addProject(key: string, name: string, lead: string): JiraProject {
    const p = { id: this.id(), key, name, lead };
    this.projects.set(key, p);
    return p;
  }

  addIssue(input: Omit<JiraIssue, 'id' | 'key' | 'comments' | 'attachments' | 'created' | 'updated'> & { created?: number; updated?: number }): JiraIssue {
    const n = (this.counters.get(input.project) ?? 0) + 1;
    this.counters.set(input.project, n);
    const t = this.now();
    const issue: JiraIssue = { ...input, id: this.id(), key: `${input.project}-${n}`, comments: [], attachments: [], created: input.created ?? t, updated: input.updated ?? input.created ?? t };
    this.issues.set(issue.key, issue);
    return issue;
  }

  addComment(key: string, author: string, body: Block[], at?: number): JiraComment {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`no issue ${key}`);
    const t = at ?? this.now();
    const c = { id: this.id(), author, body, created: t, updated: t };
    issue.comments.push(c);
    // Jira moves an issue's `updated` when a comment is added (what the export's cache keys on).
    issue.updated = Math.max(issue.updated, t);
    return c;
  }

  /** An attachment added to an issue (moves its `updated`, as Jira does). */
  addAttachment(key: string, a: Omit<JiraAttachment, 'id' | 'created'> & { created?: number }): JiraAttachment {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`no issue ${key}`);
    const t = a.created ?? this.now();
    const att = { ...a, id: this.id(), created: t };
    issue.attachments.push(att);
    issue.updated = Math.max(issue.updated, t);
    return att;
  }

  /** The whole store as JSON (attachment bytes in base64), for the emulator's --data file. */
  toJSON(): unknown {
    return {
      nextId: this.nextId,
      counters: [...this.counters.entries()],
      projects: [...this.projects.values()],
      users: [...this.users.values()],
      issues: [...this.issues.values()].map((i) => ({ ...i, attachments: i.attachments.map((a) => ({ ...a, data: a.data.toString('base64') })) })),
      links: this.links,
    };
  }

  static fromJSON(json: unknown): JiraStore {
    type Saved = { nextId: number; counters: Array<[string, number]>; projects: JiraProject[]; users: JiraUser[]; issues: Array<Omit<JiraIssue, 'attachments'> & { attachments: Array<Omit<JiraAttachment, 'data'> & { data: string }> }>; links: JiraLink[] };
    const j = json as Saved;
    const s = new JiraStore();
    s.nextId = j.nextId;
    for (const [k, n] of j.counters) s.counters.set(k, n);
    for (const p of j.projects) s.projects.set(p.key, p);
    for (const u of j.users) s.users.set(u.accountId, u);
    for (const i of j.issues) s.issues.set(i.key, { ...i, attachments: i.attachments.map((a) => ({ ...a, data: Buffer.from(a.data, 'base64') })) });
    s.links.push(...j.links);
    s.changes = 0;
    return s;
  }

  link(type: JiraLink['type'], from: string, to: string): void {
    this.links.push({ id: this.id(), type, from, to });
  }

  /** An edit as another user would make it: fields change and `updated` moves. */
  editIssue(key: string, change: Partial<Pick<JiraIssue, 'summary' | 'status' | 'labels' | 'description' | 'assignee' | 'priority'>>): JiraIssue {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`no issue ${key}`);
    Object.assign(issue, change);
    this.changes++;
    issue.updated = Math.max(this.now(), issue.updated + 1);
    return issue;
  }

  issue(keyOrId: string): JiraIssue | undefined {
    const byKey = this.issues.get(keyOrId.toUpperCase());
    if (byKey) return byKey;
    for (const i of this.issues.values()) if (i.id === keyOrId) return i;
    return undefined;
  }

  subject(i: JiraIssue): JqlSubject {
    const u = (id: string | undefined) => (id ? this.users.get(id) : undefined);
    return {
      key: i.key,
      project: i.project,
      projectName: this.projects.get(i.project)?.name ?? i.project,
      labels: i.labels,
      status: i.status,
      type: i.type,
      priority: i.priority,
      assignee: u(i.assignee)?.accountId,
      reporter: u(i.reporter)?.accountId,
      parent: i.parent,
      summary: i.summary,
      updated: i.updated,
      created: i.created,
    };
  }

  /** The issues a JQL query selects, in its order (throws JqlError). */
  search(jql: string): JiraIssue[] {
    const q = parseJql(jql);
    // Jira refuses the whole query when a clause names an issue key that does not exist (or may not be seen):
    // 400, one errorMessages entry per missing key.
    const missing = [...new Set(keyValues(q.where).filter((k) => !this.issue(k)))];
    if (missing.length) throw new JqlError(missing.map((k) => `An issue with key '${k}' does not exist for field 'key'.`));
    const t = this.now();
    const hits: Array<JqlSubject & { issue: JiraIssue }> = [];
    for (const i of this.issues.values()) {
      const s = this.subject(i);
      if (matches(q.where, s, t)) hits.push({ ...s, issue: i });
    }
    for (const o of q.order) if (!['key', 'updated', 'created', 'summary', 'status', 'priority', 'type', 'project'].includes(o.field)) throw new JqlError(`Field '${o.field}' does not support sorting.`);
    return sortSubjects(hits, q.order).map((h) => h.issue);
  }

  attachment(id: string): JiraAttachment | undefined {
    for (const i of this.issues.values()) {
      const a = i.attachments.find((x) => x.id === id);
      if (a) return a;
    }
    return undefined;
  }

  linksOf(key: string): JiraLink[] {
    return this.links.filter((l) => l.from === key || l.to === key);
  }

  sortedKeys(): string[] {
    return [...this.issues.keys()].sort(compareKeys);
  }
}

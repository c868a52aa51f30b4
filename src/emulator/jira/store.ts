/**
 * The emulator's Jira: projects, users, issues with the common fields, comments, links and attachments. Bodies
 * (descriptions, comments) are kept as a small block model and served as ADF (Cloud, /rest/api/3) or wiki markup
 * (Data Center, /rest/api/2), so one store answers both flavours with the same content.
 */
import { compareKeys, JqlError, matches, parseJql, sortSubjects, type JqlSubject } from './jql.js';

/** Inline text may hold *bold* runs and `code` runs (rendered as marks in ADF, kept as is in wiki markup). */
export type Block =
  | { h: string; level?: number }
  | { p: string }
  | { ul: string[] }
  | { ol: string[] }
  | { code: string; lang?: string }
  | { quote: string }
  | { panel: string; kind: 'info' | 'note' | 'warning' };

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

  id(): string {
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

  link(type: JiraLink['type'], from: string, to: string): void {
    this.links.push({ id: this.id(), type, from, to });
  }

  /** An edit as another user would make it: fields change and `updated` moves. */
  editIssue(key: string, change: Partial<Pick<JiraIssue, 'summary' | 'status' | 'labels' | 'description' | 'assignee' | 'priority'>>): JiraIssue {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`no issue ${key}`);
    Object.assign(issue, change);
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
    const t = this.now();
    const hits: Array<JqlSubject & { issue: JiraIssue }> = [];
    for (const i of this.issues.values()) {
      const s = this.subject(i);
      if (matches(q.where, s, t)) hits.push({ ...s, issue: i });
    }
    for (const o of q.order) if (!['key', 'updated', 'created', 'summary', 'status', 'priority', 'type', 'project'].includes(o.field)) throw new JqlError(`Field '${o.field}' does not support sorting.`);
    return sortSubjects(hits, q.order).map((h) => h.issue);
  }

  linksOf(key: string): JiraLink[] {
    return this.links.filter((l) => l.from === key || l.to === key);
  }

  sortedKeys(): string[] {
    return [...this.issues.keys()].sort(compareKeys);
  }
}

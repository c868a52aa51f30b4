/**
 * zod schemas for the Jira answers the client reads (REST v3 on Cloud, v2 on Data Center), and their mapping onto
 * JiraIssueData. Only what the export uses is required; unknown fields are ignored. A body that does not match is a
 * CSYNC_INVALID_RESPONSE (retried, then reported), never a silently empty result.
 */
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish().transform((v) => v ?? undefined);
const named = z.object({ name: str }).passthrough();

const user = z
  .object({ accountId: optStr, name: optStr, displayName: optStr, emailAddress: optStr })
  .passthrough()
  .nullish()
  .transform((u) => (u ? (u.displayName ?? u.name ?? u.accountId ?? undefined) : undefined));

/** A description or comment body: ADF (v3) is an object, wiki markup (v2) a string. */
const body = z.union([z.string(), z.object({ type: z.string() }).passthrough()]).nullish();

export const comment = z.object({
  id: z.union([str, z.number()]).transform(String),
  author: user,
  body,
  created: str,
  updated: optStr,
});

export const commentPage = z.object({
  startAt: z.number().int().nonnegative(),
  maxResults: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative(),
  comments: z.array(comment),
});

const issueRef = z
  .object({ key: str, fields: z.object({ summary: optStr, status: named.nullish() }).passthrough().nullish() })
  .passthrough();

const link = z
  .object({
    type: z.object({ name: str, inward: optStr, outward: optStr }).passthrough(),
    inwardIssue: issueRef.nullish(),
    outwardIssue: issueRef.nullish(),
  })
  .passthrough();

const attachment = z
  .object({ id: z.union([str, z.number()]).transform(String), filename: str, size: z.number().nullish(), mimeType: optStr, created: optStr, author: user, content: optStr })
  .passthrough();

export const issue = z
  .object({
    id: z.union([str, z.number()]).transform(String),
    key: str,
    fields: z
      .object({
        summary: str,
        status: z.object({ name: str, statusCategory: z.object({ key: optStr, name: optStr }).passthrough().nullish() }).passthrough(),
        issuetype: named.nullish(),
        priority: named.nullish(),
        assignee: user,
        reporter: user,
        created: str,
        updated: str,
        labels: z.array(str).nullish(),
        components: z.array(named).nullish(),
        fixVersions: z.array(named).nullish(),
        issuelinks: z.array(link).nullish(),
        parent: issueRef.nullish(),
        project: z.object({ key: str, name: optStr }).passthrough().nullish(),
        description: body,
        comment: commentPage.partial({ startAt: true }).nullish(),
        attachment: z.array(attachment).nullish(),
      })
      .passthrough(),
  })
  .passthrough();

/** Cloud: GET /rest/api/3/search/jql (token-paged). */
export const searchJql = z.object({ issues: z.array(issue), nextPageToken: optStr, isLast: z.boolean().nullish() });

/** Data Center: GET /rest/api/2/search (offset-paged). */
export const searchOffset = z.object({ startAt: z.number().int().nonnegative(), maxResults: z.number().int().nonnegative(), total: z.number().int().nonnegative(), issues: z.array(issue) });

export const myself = z.object({ accountId: optStr, name: optStr, displayName: optStr, emailAddress: optStr }).passthrough();

export type IssueJson = z.infer<typeof issue>;
export type CommentJson = z.infer<typeof comment>;

// ---- domain ----------------------------------------------------------------------------------------------------

/** A body as the API sent it: ADF (Cloud) or wiki markup (Data Center). */
export type JiraBody = { format: 'adf'; doc: unknown } | { format: 'wiki'; text: string };

export interface JiraCommentData {
  id: string;
  author: string | undefined;
  created: string;
  updated: string | undefined;
  body: JiraBody | null;
}

export interface JiraIssueData {
  id: string;
  key: string;
  summary: string;
  status: string;
  statusCategory: string | undefined;
  type: string | undefined;
  priority: string | undefined;
  assignee: string | undefined;
  reporter: string | undefined;
  created: string;
  updated: string;
  labels: string[];
  components: string[];
  fixVersions: string[];
  project: { key: string; name: string | undefined } | undefined;
  parent: { key: string; summary: string | undefined } | undefined;
  links: Array<{ relation: string; key: string; summary: string | undefined; status: string | undefined }>;
  attachments: Array<{ id: string; filename: string; size: number | undefined; mimeType: string | undefined; url: string | undefined }>;
  description: JiraBody | null;
  /** Comments in chronological order (all of them once the client completed the issue). */
  comments: JiraCommentData[];
  /** How many comments the issue has. */
  commentTotal: number;
}

export function toBody(b: z.infer<typeof body>): JiraBody | null {
  if (b === null || b === undefined) return null;
  return typeof b === 'string' ? { format: 'wiki', text: b } : { format: 'adf', doc: b };
}

export function toComment(c: CommentJson): JiraCommentData {
  return { id: c.id, author: c.author, created: c.created, updated: c.updated, body: toBody(c.body) };
}

export function toIssue(i: IssueJson): JiraIssueData {
  const f = i.fields;
  const comments = (f.comment?.comments ?? []).map(toComment);
  return {
    id: i.id,
    key: i.key,
    summary: f.summary,
    status: f.status.name,
    statusCategory: f.status.statusCategory?.key,
    type: f.issuetype?.name,
    priority: f.priority?.name,
    assignee: f.assignee,
    reporter: f.reporter,
    created: f.created,
    updated: f.updated,
    labels: f.labels ?? [],
    components: (f.components ?? []).map((c) => c.name),
    fixVersions: (f.fixVersions ?? []).map((v) => v.name),
    project: f.project ? { key: f.project.key, name: f.project.name } : undefined,
    parent: f.parent ? { key: f.parent.key, summary: f.parent.fields?.summary } : undefined,
    links: (f.issuelinks ?? []).flatMap((l) => {
      const other = l.outwardIssue ?? l.inwardIssue;
      if (!other) return [];
      return [{ relation: (l.outwardIssue ? l.type.outward : l.type.inward) ?? l.type.name, key: other.key, summary: other.fields?.summary, status: other.fields?.status?.name }];
    }),
    attachments: (f.attachment ?? []).map((a) => ({ id: a.id, filename: a.filename, size: a.size ?? undefined, mimeType: a.mimeType, url: a.content })),
    description: toBody(f.description),
    comments,
    commentTotal: f.comment?.total ?? comments.length,
  };
}

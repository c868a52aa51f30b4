/**
 * The emulator's Jira REST routes, at the site's root like Jira's: Cloud REST v3 under /rest/api/3 (ADF bodies,
 * search token-paged by nextPageToken), Data Center REST v2 under /rest/api/2 (wiki markup bodies, search
 * offset-paged by startAt). Served: GET search/jql (v3), search (v2), issue/{key}, issue/{key}/comment, myself,
 * project, serverInfo, attachment/content/{id}. Requests are validated against Atlassian's Jira OpenAPI document by
 * server.ts before they get here (v2 paths are checked against the same operation under /rest/api/3).
 */
import { createHash } from 'node:crypto';
import { json, type Reply } from '../http-util.js';
import { JqlError } from './jql.js';
import { commentJson, fieldSet, issueJson, jiraError, userJson, type JiraFlavour } from './shapes.js';
import type { JiraStore } from './store.js';

export interface JiraRequest {
  jira: JiraStore;
  method: string;
  /** The path after /rest/api/{2|3}. */
  path: string;
  query: URLSearchParams;
  origin: string;
  flavour: JiraFlavour;
  /** The user the credentials belong to (accountId). */
  me: string;
}

/** Largest search page the emulator answers (Jira Cloud: 100 when fields other than id/key are asked for). */
export const MAX_SEARCH = 100;
export const MAX_COMMENTS = 100;

const intParam = (q: URLSearchParams, name: string, dflt: number) => {
  const raw = q.get(name);
  const n = raw === null ? dflt : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : dflt;
};

function tokenFor(jql: string, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, q: createHash('sha1').update(jql).digest('hex').slice(0, 12) })).toString('base64url');
}

function offsetOf(token: string, jql: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    const want = createHash('sha1').update(jql).digest('hex').slice(0, 12);
    return typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 && v.q === want ? v.o : undefined;
  } catch {
    return undefined;
  }
}

function search(req: JiraRequest, jql: string): ReturnType<JiraStore['search']> | Reply {
  try {
    return req.jira.search(jql);
  } catch (err) {
    if (err instanceof JqlError) return json(400, { errorMessages: err.messages, errors: {} });
    throw err;
  }
}

export function handleJira(req: JiraRequest): Reply | undefined {
  const { jira, query: q, origin, flavour, path, method } = req;
  if (method !== 'GET') return undefined;
  const fieldsParam = q.getAll('fields');
  if (flavour === 'cloud' && path === '/search/jql') {
    const jql = q.get('jql') ?? '';
    const hits = search(req, jql);
    if (!Array.isArray(hits)) return hits;
    const token = q.get('nextPageToken');
    const start = token ? offsetOf(token, jql) : 0;
    if (start === undefined) return json(400, jiraError(400, 'The provided next page token is invalid or expired.'));
    const max = Math.min(Math.max(1, intParam(q, 'maxResults', 50)), MAX_SEARCH);
    const page = hits.slice(start, start + max);
    const fields = fieldSet(fieldsParam, 'id');
    const isLast = start + page.length >= hits.length;
    return json(200, { issues: page.map((i) => issueJson(jira, i, fields, origin, flavour)), ...(isLast ? {} : { nextPageToken: tokenFor(jql, start + page.length) }), isLast });
  }
  if (flavour === 'data-center' && path === '/search') {
    const jql = q.get('jql') ?? '';
    const hits = search(req, jql);
    if (!Array.isArray(hits)) return hits;
    const startAt = intParam(q, 'startAt', 0);
    const max = Math.min(intParam(q, 'maxResults', 50), MAX_SEARCH);
    const fields = fieldSet(fieldsParam, 'navigable');
    return json(200, { expand: 'names,schema', startAt, maxResults: max, total: hits.length, issues: hits.slice(startAt, startAt + max).map((i) => issueJson(jira, i, fields, origin, flavour)) });
  }
  let m = /^\/issue\/([^/]+)\/comment$/.exec(path);
  if (m) {
    const issue = jira.issue(decodeURIComponent(m[1]!));
    if (!issue) return json(404, jiraError(404, 'Issue does not exist or you do not have permission to see it.'));
    const startAt = intParam(q, 'startAt', 0);
    const max = Math.min(intParam(q, 'maxResults', MAX_COMMENTS), MAX_COMMENTS);
    const order = q.get('orderBy') ?? 'created';
    const all = [...issue.comments].sort((a, b) => (order === '-created' ? b.created - a.created : a.created - b.created) || Number(a.id) - Number(b.id));
    return json(200, { startAt, maxResults: max, total: all.length, comments: all.slice(startAt, startAt + max).map((c) => commentJson(jira, issue, c, origin, flavour)) });
  }
  m = /^\/issue\/([^/]+)$/.exec(path);
  if (m) {
    const issue = jira.issue(decodeURIComponent(m[1]!));
    if (!issue) return json(404, jiraError(404, 'Issue does not exist or you do not have permission to see it.'));
    return json(200, issueJson(jira, issue, fieldSet(fieldsParam, 'all'), origin, flavour));
  }
  if (path === '/myself') return json(200, userJson(jira.users.get(req.me), origin, flavour));
  if (path === '/project') {
    const api = flavour === 'cloud' ? 3 : 2;
    return json(200, [...jira.projects.values()].map((p) => ({ id: p.id, key: p.key, name: p.name, self: `${origin}/rest/api/${api}/project/${p.id}`, projectTypeKey: 'software', simplified: false, style: 'classic', isPrivate: false })));
  }
  if (path === '/serverInfo') {
    return json(200, { baseUrl: origin, version: flavour === 'cloud' ? '1001.0.0-SNAPSHOT' : '9.12.0', versionNumbers: flavour === 'cloud' ? [1001, 0, 0] : [9, 12, 0], deploymentType: flavour === 'cloud' ? 'Cloud' : 'Server', buildNumber: 100250, serverTitle: 'Emulated Jira' });
  }
  m = /^\/attachment\/content\/(\d+)$/.exec(path);
  if (m) {
    const a = jira.attachment(m[1]!);
    if (a) {
      // Cloud answers 303 to its media service unless redirect=false; the emulator's "media service" is the same
      // route with redirect=false (Data Center serves the bytes at once).
      if (flavour === 'cloud' && q.get('redirect') !== 'false') return { status: 303, raw: Buffer.alloc(0), headers: { Location: `${origin}/rest/api/3/attachment/content/${a.id}?redirect=false` } };
      return { status: 200, raw: a.data, headers: { 'Content-Type': a.mimeType, 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}` } };
    }
    return json(404, jiraError(404, 'The attachment does not exist.'));
  }
  return undefined;
}

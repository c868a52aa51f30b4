/**
 * The Jira client: issue search by JQL with every field the export shows, comments paged, the current user. Its
 * own Transport with source 'jira': its own rate limiter (Jira and Confluence budgets are separate), retries,
 * circuit breaker and Jira-worded hints, on the same got + Bottleneck machinery as the Confluence client.
 *
 * Cloud (REST v3): GET /rest/api/3/search/jql, token-paged (nextPageToken), bodies in ADF.
 * Data Center (REST v2): GET /rest/api/2/search, offset-paged (startAt, total), bodies in wiki markup.
 * Both: GET /rest/api/{3|2}/issue/{key}/comment (offset-paged) for the comments past the ones an issue embeds.
 */
import { ConfigError, RemoteError } from '../../core/errors.js';
import type { BreakerSnapshot } from '../breaker.js';
import type { LimiterSnapshot } from '../limiter.js';
import { normalizeOptions, type ClientOptions } from '../options.js';
import { jsonOf } from '../schemas.js';
import { isLoopbackHost, type SiteUrls } from '../site-url.js';
import type { ClientStatsSnapshot } from '../stats.js';
import { Transport } from '../transport.js';
import { attachmentUrl, downloadJiraAttachment, type JiraAttachmentRef } from './download.js';
import { commentPage, myself, searchJql, searchOffset, toComment, toIssue, type JiraCommentData, type JiraIssueData } from './schemas.js';

export type JiraFlavour = 'cloud' | 'data-center';

/** Issues per search request (Jira's maximum when fields beyond id/key are asked for). */
export const SEARCH_PAGE = 100;
/** Comments per comment request (the API's default and maximum). */
export const COMMENT_PAGE = 100;

/** The fields the export shows. */
export const ISSUE_FIELDS = ['summary', 'status', 'issuetype', 'priority', 'assignee', 'reporter', 'created', 'updated', 'labels', 'components', 'fixVersions', 'issuelinks', 'parent', 'project', 'description', 'comment', 'attachment'] as const;

export interface JiraClientOptions extends Omit<ClientOptions, 'flavour' | 'source' | 'sameBody'> {
  flavour: JiraFlavour;
}

export interface JiraClient {
  readonly flavour: JiraFlavour;
  readonly baseUrl: string;
  /** Where a person reads the issue in Jira. */
  browseUrl(key: string): string;
  /** Issues matching the JQL with their fields and embedded comments, one search page in memory at a time. */
  search(jql: string, options?: { pageSize?: number; fields?: readonly string[] }): AsyncGenerator<JiraIssueData, void, undefined>;
  /** Comments of an issue from `startAt`, oldest first. */
  comments(key: string, startAt?: number): AsyncGenerator<JiraCommentData, void, undefined>;
  /** The issue with every comment (pages the comments past those the search embedded). */
  complete(issue: JiraIssueData): Promise<JiraIssueData>;
  myself(): Promise<{ id: string | undefined; displayName: string | undefined }>;
  /** Streams an attachment's bytes to `destPath` (through a temporary file beside it); its size and sha256. */
  downloadAttachment(attachment: JiraAttachmentRef, destPath: string): Promise<{ bytes: number; sha256: string }>;
  stats(): ClientStatsSnapshot;
  breakerState(): BreakerSnapshot;
  rateLimiter(): LimiterSnapshot;
  lastRateLimitHeaders(): Record<string, string>;
  close(): Promise<void>;
}

/** The Jira base URL's parts: no credentials, https unless loopback (or allowed), no trailing slash. */
export function jiraSite(baseUrl: string, allowInsecureHttp: boolean, flavour: JiraFlavour): SiteUrls & { api: string } {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ConfigError(`jira.url is not a URL: ${JSON.stringify(baseUrl)}`, { hint: 'write it like https://your-site.atlassian.net (Cloud) or https://jira.example.com (Data Center)' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`jira.url must use https, not ${url.protocol}`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw new ConfigError(`jira.url uses plain http for ${url.hostname}: credentials would travel unencrypted`, { hint: 'use https, or set site.allowInsecureHttp to true if this really is a trusted network' });
  }
  if (url.username || url.password) throw new ConfigError('jira.url must not contain credentials', { hint: 'the Atlassian account in .env is used for Jira too' });
  // People paste an issue or API URL: keep the context path only.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/(rest\/api|browse|jira\/software|projects|issues)(\/.*)?$/, '');
  const api = `${url.origin}${path}/rest/api/${flavour === 'cloud' ? 3 : 2}`;
  return Object.freeze({ origin: url.origin, contextPath: path, v1: api, v2: api, api, flavour, host: url.host });
}

export function createJiraClient(input: JiraClientOptions): JiraClient {
  const { flavour, ...rest } = input;
  const options = normalizeOptions({ ...rest, source: 'jira' });
  const site = jiraSite(options.baseUrl, options.allowInsecureHttp, flavour);
  const t = new Transport(options, site);
  const get = (op: string, path: string, query: Record<string, string | number | undefined>) => ({ op, method: 'GET' as const, url: `${site.api}${path}`, query, idempotent: true });

  async function* comments(key: string, startAt = 0): AsyncGenerator<JiraCommentData, void, undefined> {
    let at = startAt;
    for (;;) {
      const page = await t.send(get('jira.comments', `/issue/${encodeURIComponent(key)}/comment`, { startAt: at, maxResults: COMMENT_PAGE, orderBy: 'created' }), { parse: jsonOf(commentPage) });
      for (const c of page.comments) yield toComment(c);
      at += page.comments.length;
      if (page.comments.length === 0 || at >= page.total) return;
    }
  }

  async function* search(jql: string, o: { pageSize?: number; fields?: readonly string[] } = {}): AsyncGenerator<JiraIssueData, void, undefined> {
    const pageSize = Math.min(o.pageSize ?? SEARCH_PAGE, SEARCH_PAGE);
    const fields = (o.fields ?? ISSUE_FIELDS).join(',');
    if (flavour === 'cloud') {
      let token: string | undefined;
      const seen = new Set<string>();
      for (;;) {
        const page = await t.send(get('jira.search', '/search/jql', { jql, maxResults: pageSize, fields, nextPageToken: token }), { parse: jsonOf(searchJql) });
        for (const i of page.issues) yield toIssue(i);
        token = page.nextPageToken;
        if (!token || page.isLast === true || page.issues.length === 0) return;
        if (seen.has(token)) {
          throw new RemoteError('CSYNC_INVALID_RESPONSE', 'GET /rest/api/3/search/jql: Jira sent the same nextPageToken twice', { method: 'GET', path: '/rest/api/3/search/jql' }, { hint: 'the search cursor loops; report this server behaviour' });
        }
        seen.add(token);
      }
    }
    let startAt = 0;
    for (;;) {
      const page = await t.send(get('jira.search', '/search', { jql, startAt, maxResults: pageSize, fields }), { parse: jsonOf(searchOffset) });
      for (const i of page.issues) yield toIssue(i);
      startAt += page.issues.length;
      if (page.issues.length === 0 || startAt >= page.total) return;
    }
  }

  return {
    flavour,
    baseUrl: `${site.origin}${site.contextPath}`,
    browseUrl: (key) => `${site.origin}${site.contextPath}/browse/${encodeURIComponent(key)}`,
    search,
    comments,
    complete: async (issue) => {
      if (issue.comments.length >= issue.commentTotal) return issue;
      const all = [...issue.comments];
      for await (const c of comments(issue.key, all.length)) all.push(c);
      return { ...issue, comments: all, commentTotal: Math.max(issue.commentTotal, all.length) };
    },
    myself: async () => {
      const me = await t.send(get('jira.myself', '/myself', {}), { parse: jsonOf(myself) });
      return { id: me.accountId ?? me.name, displayName: me.displayName };
    },
    downloadAttachment: (a, dest) => downloadJiraAttachment(t, attachmentUrl(site.api, `${site.origin}${site.contextPath}`, flavour === 'cloud', a), dest),
    stats: () => {
      const b = t.breaker.snapshot();
      return t.stats.snapshot({ state: b.state, opens: b.opens, consecutiveFailures: b.consecutiveFailures });
    },
    breakerState: () => t.breaker.snapshot(),
    rateLimiter: () => t.rateLimiter.snapshot(),
    lastRateLimitHeaders: () => ({ ...t.lastRateHeaders }),
    close: () => t.close(),
  };
}

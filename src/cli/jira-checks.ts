/**
 * The doctor's Jira checks, when Jira is configured (jira.url, JIRA_URL or JIRA_PAT): the account signs in, a JQL
 * search the account may run answers, and which rate-limit headers Jira sends. Read-only: three GET requests at most.
 */
import { RemoteError } from '../core/errors.js';
import type { Context } from './context.js';
import type { Check } from './commands/doctor.js';
import { jiraOptionsFrom } from './site.js';

export function jiraConfigured(ctx: Context): boolean {
  return Boolean(ctx.config.jira.url || ctx.config.jira.pat);
}

export async function jiraChecks(ctx: Context): Promise<Check[]> {
  if (!jiraConfigured(ctx)) return [];
  const r = jiraOptionsFrom(ctx.config, ctx.logger);
  if ('problem' in r) return [{ name: 'jira', ok: false, detail: r.problem, hint: r.hint, code: 'CSYNC_CONFIG' }];
  const { createJiraClient } = await import('../remote/jira/index.js');
  // One quick attempt per check: the doctor reports, it does not wait out an outage.
  const jira = createJiraClient({ ...r.options, retry: { ...r.options.retry, maxRetries: 1 } });
  const failed = (name: string, err: unknown): Check => {
    if (err instanceof RemoteError) return { name, ok: false, detail: `${err.message}${err.serverMessage && !err.message.includes(err.serverMessage) ? `: ${err.serverMessage}` : ''}`, hint: err.hint, code: err.code };
    throw err;
  };
  const checks: Check[] = [];
  const kind = `${jira.flavour === 'cloud' ? 'Jira Cloud, REST v3' : 'Jira Data Center, REST v2'} at ${jira.baseUrl}`;
  try {
    let t0 = performance.now();
    try {
      const me = await jira.myself();
      checks.push({ name: 'jira credentials', ok: true, detail: `signed in as ${me.displayName ?? me.id ?? 'an unnamed user'} (${kind})`, ms: performance.now() - t0 });
    } catch (err) {
      checks.push(failed('jira credentials', err));
      return checks;
    }
    t0 = performance.now();
    const jql = 'updated >= -30d ORDER BY updated DESC';
    try {
      let n = 0;
      for await (const issue of jira.search(jql, { pageSize: 1, fields: ['summary', 'status', 'created', 'updated'] })) {
        void issue;
        n++;
        break; // one search page is the check
      }
      checks.push({ name: 'jira search', ok: true, detail: `JQL \`${jql}\` runs (${n ? 'found issues' : 'no issue updated in 30 days'})`, ms: performance.now() - t0 });
    } catch (err) {
      checks.push(failed('jira search', err));
    }
    const headers = jira.lastRateLimitHeaders();
    const shown = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join(', ');
    checks.push({ name: 'jira rate limit', ok: true, detail: shown ? `${shown}; csync paces Jira at ${r.options.rate.requestsPerSecond} req/s (jira.rate)` : `no rate-limit headers seen; csync paces Jira at ${r.options.rate.requestsPerSecond} req/s (jira.rate)` });
    return checks;
  } finally {
    await jira.close();
  }
}

/**
 * `csync doctor` (and `--validate-only`): checks the site URL, credentials, space access and write permission
 * without changing any content; reports latency, API flavour and the rate-limit headers seen. Every failed check
 * says what to fix. The CLI prints the result; this file only gathers it.
 */
import { CsyncError, type ErrorCode } from '../core/errors.js';
import { createConfluenceClient, type ConfluenceClient } from './client.js';
import type { ClientOptions } from './options.js';
import { resolveSiteUrls } from './site-url.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string | undefined;
  ms?: number | undefined;
  /** Error code of a failed check (the CLI picks the exit code from it). */
  code?: ErrorCode | undefined;
  /** A failed check that does not fail the run. */
  warning?: boolean | undefined;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  flavour: 'cloud' | 'data-center' | undefined;
  /** Median latency of the read requests made, ms. */
  latencyMs: number | undefined;
  rateLimitHeaders: Record<string, string>;
  /** Requests the doctor sent (all reads). */
  requests: number;
}

export interface DoctorOptions {
  client: ClientOptions;
  /** Space keys to check for access and write permission. */
  spaces: readonly string[];
  /** Also check write permission (default true). */
  checkWrite?: boolean;
}

function failed(name: string, err: unknown, ms?: number): DoctorCheck {
  if (err instanceof CsyncError) return { name, ok: false, detail: err.message, hint: err.hint, code: err.code, ms };
  return { name, ok: false, detail: String(err instanceof Error ? err.message : err), code: 'CSYNC_INTERNAL', ms };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export async function runDoctorChecks(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const latencies: number[] = [];
  const report = (flavour: DoctorReport['flavour'], client?: ConfluenceClient): DoctorReport => {
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      ok: checks.every((c) => c.ok || c.warning),
      checks,
      flavour,
      latencyMs: sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined,
      rateLimitHeaders: client?.lastRateLimitHeaders() ?? {},
      requests: client?.stats().requests ?? 0,
    };
  };

  let site;
  try {
    site = resolveSiteUrls(options.client.baseUrl, options.client.allowInsecureHttp);
    checks.push({ name: 'site url', ok: true, detail: `${site.flavour === 'cloud' ? 'Confluence Cloud' : 'Data Center'} at ${site.origin}${site.contextPath} (v1 ${site.v1})${site.flavour === 'data-center' ? `; taken for Data Center because the URL does not end in /wiki (a Cloud site on its own domain needs ${site.origin}${site.contextPath}/wiki)` : ''}` });
  } catch (err) {
    checks.push(failed('site url', err));
    return report(undefined);
  }
  if (options.client.auth.kind === 'bearer' && site.flavour === 'cloud') {
    checks.push({ name: 'auth kind', ok: false, warning: true, detail: 'a personal access token (Bearer) is used with a Cloud URL', hint: 'Cloud expects CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN; PATs are for Data Center' });
  }

  // The doctor should answer quickly: at most one retry, short backoff.
  const client = createConfluenceClient({
    ...options.client,
    retry: { maxRetries: Math.min(1, options.client.retry.maxRetries), baseDelayMs: Math.min(200, options.client.retry.baseDelayMs), maxDelayMs: 1000 },
  });
  try {
    try {
      const { value: user, ms } = await timed(() => client.currentUser());
      latencies.push(ms);
      if (user.type === 'anonymous') {
        checks.push({ name: 'credentials', ok: false, code: 'CSYNC_AUTH', ms, detail: 'the server treated the request as anonymous: the token was not accepted', hint: 'create a new personal access token (Data Center) or API token (Cloud) and update .env' });
      } else {
        checks.push({ name: 'credentials', ok: true, ms, detail: `signed in as ${user.displayName ?? user.email ?? user.accountId ?? 'a known user'}` });
      }
    } catch (err) {
      const check = failed(err instanceof CsyncError && (err.code === 'CSYNC_NETWORK' || err.code === 'CSYNC_TIMEOUT') ? 'connection' : 'credentials', err);
      // A Cloud site on its own domain, written without /wiki, is taken for Data Center and answers 404.
      if (err instanceof CsyncError && err.code === 'CSYNC_NOT_FOUND' && site.flavour === 'data-center') {
        checks.push({ ...check, name: 'site url', code: 'CSYNC_CONFIG', hint: `no Confluence REST API at ${site.v1}: if this is Confluence Cloud, set site.url to ${site.origin}${site.contextPath}/wiki; for Data Center, include its context path (e.g. /confluence)` });
      } else checks.push(check);
      return report(site.flavour, client);
    }

    for (const key of options.spaces) {
      let spaceId: string;
      try {
        const { value: space, ms } = await timed(() => client.getSpaceByKey(key));
        latencies.push(ms);
        spaceId = space.id;
        checks.push({ name: `space ${key}`, ok: true, ms, detail: `${space.name} (id ${space.id})` });
      } catch (err) {
        checks.push(failed(`space ${key}`, err));
        continue;
      }
      if (options.checkWrite === false) continue;
      try {
        const { value: ops, ms } = await timed(() => client.spaceOperations(spaceId));
        latencies.push(ms);
        const canCreate = ops.some((o) => o.operation === 'create' && (o.targetType === 'page' || o.targetType === undefined));
        checks.push(
          canCreate
            ? { name: `write ${key}`, ok: true, ms, detail: 'may create and edit pages' }
            : { name: `write ${key}`, ok: false, ms, code: 'CSYNC_FORBIDDEN', detail: `read-only: no "create page" permission in ${key}`, hint: `ask a space admin of ${key} for the Add Pages permission (Space settings → Permissions); pull works without it` },
        );
      } catch (err) {
        checks.push({ ...failed(`write ${key}`, err), warning: true });
      }
    }

    const headers = client.lastRateLimitHeaders();
    const names = Object.keys(headers);
    const limiter = client.rateLimiter();
    const pace = `${Math.round(limiter.requestsPerSecond * 10) / 10} req/s`;
    const budget =
      limiter.mode === 'local'
        ? `budget: this process alone, ${pace}`
        : limiter.mode === 'redis'
          ? `budget: shared through Redis at ${limiter.redis}, ${pace}`
          : `budget: Redis at ${limiter.redis} unreachable, pacing alone at ${limiter.fallbackShare * 100}% of ${pace}`;
    checks.push({
      name: 'rate limit',
      ok: limiter.mode !== 'fallback',
      ...(limiter.mode === 'fallback' ? { warning: true, hint: 'start Redis or fix rateLimit.redisUrl (CSYNC_REDIS_URL); until then every process paces alone' } : {}),
      detail: `${budget}; ${names.length ? names.map((k) => `${k}=${headers[k]}`).join(' ') : 'no rate-limit headers seen (the limiter uses the profile rate alone)'}`,
    });
    const skew = client.clockSkewMs();
    if (skew !== undefined) {
      // Date headers have 1 s resolution; CQL date windows are minutes wide, so only a large skew matters.
      const s = Math.round(skew / 1000);
      checks.push(
        Math.abs(skew) <= 60_000
          ? { name: 'clock', ok: true, detail: `in step with the server (${s >= 0 ? '+' : ''}${s} s)` }
          : { name: 'clock', ok: false, warning: true, detail: `local clock is ${Math.abs(s)} s ${skew > 0 ? 'behind' : 'ahead of'} the server`, hint: 'enable time sync (systemctl enable --now systemd-timesyncd); change detection by date windows needs it' },
      );
    }
    return report(site.flavour, client);
  } finally {
    await client.close();
  }
}

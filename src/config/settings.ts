/**
 * Every configuration setting, in one table. From it come: the schema, the environment variable names
 * (CSYNC_<PATH_IN_UPPER_SNAKE>), the unknown-key check with "did you mean", and the README's configuration table.
 * Defaults here are the lowest layer; profiles (config/profiles/*.json) override the ones they name.
 */
import type * as Zod from 'zod';
import { z } from './lazy-zod.js';
import { exportDefinitionsSchema } from './export-definitions.js';

export const PROFILES = ['fast', 'balanced', 'conservative'] as const;
export type ProfileName = (typeof PROFILES)[number];
export const FORMATS = ['markdown', 'storage'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const spaceKey = z.string().regex(/^[A-Za-z0-9_~]{1,255}$/, 'a space key: letters, digits, _ or ~');
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'HOST:PORT');

/**
 * Settings that existed and were taken out, with why. A config file or environment that still sets one keeps
 * working: the value is ignored and a warning says so and what to do (remove the key).
 */
export const REMOVED_SETTINGS: ReadonlyMap<string, string> = new Map([
  [
    'sync.conflictCopies',
    'csync never deletes a conflict copy on its own (one may hold the only copy of someone\'s words, or your merge work); a copy goes when you resolve its conflict or delete it',
  ],
]);

export interface SettingDef {
  /** Dotted path in the config object, e.g. "rate.requestsPerSecond". */
  path: string;
  schema: Zod.ZodType;
  default?: unknown;
  description: string;
  /** Kind of value, for parsing environment variables and flags. */
  kind: 'string' | 'number' | 'boolean' | 'list' | 'json';
  secret?: boolean;
  /** Extra environment variable names accepted for this setting, in priority order (first wins). */
  aliases?: string[];
}

export const SETTINGS: readonly SettingDef[] = [
  { path: 'site.url', kind: 'string', schema: z.string().url(), description: 'Confluence base URL (Cloud: https://SITE.atlassian.net, with or without /wiki; Data Center: its base URL with context path)', aliases: ['CONFLUENCE_URL'] },
  { path: 'site.email', kind: 'string', schema: z.string().min(1), description: 'Cloud account e-mail (Basic auth with an API token)', aliases: ['CONFLUENCE_EMAIL', 'CONFLUENCE_USERNAME', 'ATLASSIAN_USERNAME'] },
  { path: 'site.apiToken', kind: 'string', schema: z.string().min(1), secret: true, description: 'Cloud API token (never a password)', aliases: ['CONFLUENCE_API_TOKEN', 'ATLASSIAN_API_TOKEN'] },
  { path: 'site.pat', kind: 'string', schema: z.string().min(1), secret: true, description: 'Data Center personal access token (Bearer auth)', aliases: ['CONFLUENCE_PAT'] },
  { path: 'site.allowInsecureHttp', kind: 'boolean', schema: z.boolean(), default: false, description: 'allow http:// URLs other than loopback' },
  { path: 'spaces', kind: 'list', schema: z.array(spaceKey), default: [], description: 'space keys this workspace syncs', aliases: ['CONFLUENCE_SPACE_KEY'] },
  { path: 'scope.rootPageId', kind: 'string', schema: z.string().regex(/^\d+$/, 'a numeric page id'), description: 'sync only this page and its descendants' },
  { path: 'scope.labels', kind: 'list', schema: z.array(z.string().min(1)), default: [], description: 'sync only pages with one of these labels' },
  { path: 'scope.cql', kind: 'string', schema: z.string().min(1), description: 'sync only pages matching this CQL' },
  { path: 'format', kind: 'string', schema: z.enum(FORMATS), default: 'markdown', description: 'local file format: markdown (lossless) or storage (raw XHTML)' },
  { path: 'profile', kind: 'string', schema: z.enum(PROFILES), default: 'balanced', description: 'rate/retry/timeout preset: fast (~20 req/s), balanced (~10 req/s), conservative (~5 req/s)' },
  { path: 'rate.requestsPerSecond', kind: 'number', schema: z.number().positive().max(1000), default: 10, description: 'sustained request rate per site' },
  { path: 'rate.burst', kind: 'number', schema: positiveInt.max(10000), default: 20, description: 'requests allowed in a burst' },
  { path: 'rate.maxConcurrent', kind: 'number', schema: positiveInt.max(64), default: 4, description: 'requests in flight at once per site' },
  // Other sources (a Jira site, a Notion integration): each its own limiter, profile and rate (src/config/source-rate.ts).
  ...(['jira', 'notion'] as const).flatMap((src): SettingDef[] => [
    { path: `${src}.profile`, kind: 'string', schema: z.enum(PROFILES), description: `rate preset for ${src === 'jira' ? 'the Jira site' : 'the Notion integration'} (default: profile); its numbers are that source's own` },
    { path: `${src}.rate.requestsPerSecond`, kind: 'number', schema: z.number().positive().max(1000), description: `sustained request rate to ${src} (from its profile unless set)` },
    { path: `${src}.rate.burst`, kind: 'number', schema: positiveInt.max(10000), description: `requests allowed in a burst to ${src}` },
    { path: `${src}.rate.maxConcurrent`, kind: 'number', schema: positiveInt.max(64), description: `requests in flight at once to ${src}` },
  ]),
  { path: 'rateLimit.store', kind: 'string', schema: z.enum(['local', 'redis']), default: 'local', description: 'where the rate budget of the Confluence site + account is kept: local (this process) or redis (shared by every csync process using the same Redis)' },
  { path: 'rateLimit.redisUrl', kind: 'string', schema: z.string().regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'), secret: true, description: 'Redis for rateLimit.store = redis (redis://[user:password@]host:port[/db])', aliases: ['CSYNC_REDIS_URL'] },
  { path: 'rateLimit.fallbackShare', kind: 'number', schema: z.number().positive().max(1), default: 0.25, description: 'share of the rate one process uses alone while Redis is unreachable' },
  { path: 'rateLimit.heartbeatMs', kind: 'number', schema: positiveInt.min(10).max(5000), default: 250, description: 'how often a Redis-kept budget refills (Bottleneck heartbeat)' },
  { path: 'retry.maxRetries', kind: 'number', schema: nonNegativeInt.max(20), default: 6, description: 'retries of a failed idempotent request' },
  { path: 'retry.baseDelayMs', kind: 'number', schema: positiveInt, default: 500, description: 'first backoff delay (exponential, full jitter)' },
  { path: 'retry.maxDelayMs', kind: 'number', schema: positiveInt, default: 30000, description: 'backoff cap' },
  { path: 'timeouts.connectMs', kind: 'number', schema: positiveInt, default: 10000, description: 'TCP/TLS connect timeout' },
  { path: 'timeouts.responseMs', kind: 'number', schema: positiveInt, default: 60000, description: 'response timeout' },
  { path: 'breaker.failureThreshold', kind: 'number', schema: positiveInt, default: 8, description: 'consecutive failures that open the circuit breaker' },
  { path: 'breaker.halfOpenAfterMs', kind: 'number', schema: positiveInt, default: 30000, description: 'time before an open breaker lets a probe through' },
  { path: 'concurrency.pages', kind: 'number', schema: positiveInt.max(64), default: 4, description: 'page actions run in parallel (creates too: siblings side by side, a parent before its children, pages over 64 KiB one at a time)' },
  { path: 'concurrency.attachments', kind: 'number', schema: positiveInt.max(64), default: 2, description: 'attachment transfers run in parallel' },
  { path: 'batch.pageSize', kind: 'number', schema: positiveInt.max(250), default: 250, description: 'items per listing request (API maximum 250)' },
  { path: 'sync.maxDeletePercent', kind: 'number', schema: z.number().min(0).max(100), default: 50, description: 'safety gate: abort when a run would delete more than this % of a space' },
  { path: 'sync.maxDeleteCount', kind: 'number', schema: nonNegativeInt, description: 'safety gate: abort when a run would delete more than this many pages (overrides the percentage)' },
  { path: 'sync.minorEdit', kind: 'boolean', schema: z.boolean(), default: true, description: 'publish as minor edits (no notification e-mails): attachment uploads, and page updates on Data Center (Cloud page updates have no such flag)' },
  { path: 'sync.versionMessage', kind: 'string', schema: z.string().max(500), default: 'Synced by confluence-sync', description: 'version comment on pages we update and attachments we upload' },
  { path: 'sync.maxPageBytes', kind: 'number', schema: positiveInt, default: 5 * 1024 * 1024, description: 'page files larger than this are skipped before they are read or converted (Confluence refuses page bodies over 5 MB)' },
  { path: 'watch.debounceMs', kind: 'number', schema: nonNegativeInt.max(600000), default: 1000, description: 'quiet time after a save before the daemon pushes' },
  { path: 'watch.pollSeconds', kind: 'number', schema: z.number().min(1).max(86400), default: 30, description: 'how often the daemon polls for remote changes (jittered)' },
  { path: 'watch.rescanSeconds', kind: 'number', schema: z.number().min(5).max(86400), default: 60, description: 'how often the daemon rescans the local tree for changes its file watcher missed (stat fast path)' },
  { path: 'watch.listen', kind: 'string', schema: hostPort, default: '127.0.0.1:9464', description: 'health/metrics HTTP listener (loopback unless you ask otherwise)' },
  { path: 'exports', kind: 'json', schema: exportDefinitionsSchema, default: [], description: 'named export definitions: `csync export NAME`, `--batch`, and the daemon keeps those with `every` or `onChange` fresh (see Exporting; JSON in the environment)' },
  { path: 'export.pdf.font', kind: 'string', schema: z.string().min(1), description: 'PDF exports: a TrueType/OpenType font file (relative to the workspace) for runs of CJK characters (default: Noto Sans SC when npm @expo-google-fonts/noto-sans-sc is installed)', aliases: ['CSYNC_PDF_FONT'] },
  { path: 'export.keepJobsDays', kind: 'number', schema: nonNegativeInt.max(3650), default: 7, description: 'export jobs that ended (completed, failed, cancelled) are forgotten this many days after their last update (their bundles stay); 0 forgets them at the next export' },
  { path: 'jira.url', kind: 'string', schema: z.string().url(), description: 'Jira base URL for exports with issues (default on Cloud: the Confluence site\'s origin, https://SITE.atlassian.net); the Atlassian account of site.email / site.apiToken signs in', aliases: ['JIRA_URL'] },
  { path: 'jira.flavour', kind: 'string', schema: z.enum(['auto', 'cloud', 'data-center']), default: 'auto', description: 'Jira Cloud (REST v3, ADF) or Data Center (REST v2, wiki markup); auto: Data Center with a personal access token, else Cloud' },
  { path: 'jira.pat', kind: 'string', schema: z.string().min(1), secret: true, description: 'Jira Data Center personal access token (default: site.pat)', aliases: ['JIRA_PAT'] },
  { path: 'log.level', kind: 'string', schema: z.enum(LOG_LEVELS), default: 'info', description: 'log level' },
  { path: 'log.maxFileBytes', kind: 'number', schema: positiveInt, default: 10 * 1024 * 1024, description: 'start the next log file (logs/csync.N.log) at this size' },
  { path: 'log.maxFiles', kind: 'number', schema: positiveInt.max(100), default: 5, description: 'rotated log files kept' },
];

export const SETTINGS_BY_PATH: ReadonlyMap<string, SettingDef> = new Map(SETTINGS.map((s) => [s.path, s]));

/** CSYNC_RATE_REQUESTS_PER_SECOND for rate.requestsPerSecond. */
export function envNameFor(path: string): string {
  return (
    'CSYNC_' +
    path
      .split('.')
      .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
      .join('_')
  );
}

/** Every key that may appear at each level of a config object, for the unknown-key check. */
export function knownKeys(): Set<string> {
  const keys = new Set<string>();
  for (const s of SETTINGS) {
    const parts = s.path.split('.');
    for (let i = 1; i <= parts.length; i++) keys.add(parts.slice(0, i).join('.'));
  }
  return keys;
}

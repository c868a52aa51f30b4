/**
 * Client options: the public input (ClientOptions) and its validated, frozen normal form. The config engineer maps
 * the workspace config (profile + file + env) onto ClientOptions; tests inject a clock, a sleep and a random source.
 */
import { ConfigError } from '../core/errors.js';
import { USER_AGENT } from '../version.js';
import { DEFAULT_LIMITER_STORE, type LimiterStoreOptions } from './limiter.js';
import type { ClientHooks } from './stats.js';

export type ClientAuth = { kind: 'basic'; email: string; token: string } | { kind: 'bearer'; token: string };

/** The subset of a pino logger the client uses (pino's Logger satisfies it). */
export interface RemoteLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): RemoteLogger;
  bindings?(): Record<string, unknown>;
}

export interface Clock {
  now(): number;
}

export interface ClientOptions {
  baseUrl: string;
  auth: ClientAuth;
  rate: { requestsPerSecond: number; burst: number; maxConcurrent: number };
  /** Where the rate budget is kept: this process alone (default) or Redis, shared by every process of the account. */
  rateLimit?: Partial<LimiterStoreOptions> | undefined;
  /** Which kind of source this client talks to (part of the shared limiter's id). */
  source?: string;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  timeouts: { connectMs: number; responseMs: number };
  breaker: { failureThreshold: number; halfOpenAfterMs: number };
  /** http:// is refused unless the host is loopback or this is true. */
  allowInsecureHttp?: boolean;
  logger?: RemoteLogger;
  /** Time source for the limiter and the breaker (tests pass a virtual clock). */
  clock?: Clock;
  /** How the client waits (tests pass one that advances a virtual clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for the backoff jitter. */
  random?: () => number;
  userAgent?: string;
  hooks?: Partial<ClientHooks>;
  /** Overrides the flavour guessed from the URL (a path ending in /wiki or an atlassian.net host = Cloud). */
  flavour?: 'cloud' | 'data-center';
  /**
   * Whether two storage bodies are the same page content, to recognise a write that was applied despite an unclear
   * failure (Confluence rewrites what it stores). The caller supplies it (the CLI passes the format layer's
   * storageEquals; remote/ knows no format); default: byte equality.
   */
  sameBody?: (a: string, b: string) => boolean;
}

export interface NormalizedOptions {
  readonly baseUrl: string;
  readonly auth: Readonly<ClientAuth>;
  readonly rate: Readonly<ClientOptions['rate']>;
  readonly rateLimit: Readonly<LimiterStoreOptions>;
  readonly source: string;
  readonly retry: Readonly<ClientOptions['retry']>;
  readonly timeouts: Readonly<ClientOptions['timeouts']>;
  readonly breaker: Readonly<ClientOptions['breaker']>;
  readonly allowInsecureHttp: boolean;
  readonly logger: RemoteLogger;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly userAgent: string;
  readonly hooks: Partial<ClientHooks>;
  readonly flavour: 'cloud' | 'data-center' | undefined;
  readonly sameBody: (a: string, b: string) => boolean;
}

const silent: RemoteLogger = { debug() {}, info() {}, warn() {} };

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function need(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) {
    throw new ConfigError(`Expected \`${field}\` to be ${expected}, got ${JSON.stringify(got)}`, {
      hint: `fix ${field} in config/csync.json (or its CSYNC_* variable)`,
    });
  }
}

const finitePositive = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n > 0;
const intAtLeast = (n: unknown, min: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= min;

/** Validates and freezes; messages name the field (p-queue style). Copies so later caller edits change nothing. */
export function normalizeOptions(input: ClientOptions): NormalizedOptions {
  need(typeof input.baseUrl === 'string' && input.baseUrl.length > 0, 'site.url', 'a URL', input.baseUrl);
  const auth = input.auth;
  need(auth?.kind === 'basic' || auth?.kind === 'bearer', 'auth.kind', "'basic' or 'bearer'", auth?.kind);
  // Never echo a token in an error: report only whether it is present.
  need(typeof auth.token === 'string' && auth.token.length > 0, 'auth.token', 'a non-empty token', auth.token ? '<set>' : '<empty>');
  if (auth.kind === 'basic') need(typeof auth.email === 'string' && auth.email.includes('@'), 'site.email', 'an e-mail address', auth.email);
  const { rate, retry, timeouts, breaker } = input;
  need(finitePositive(rate?.requestsPerSecond), 'rate.requestsPerSecond', 'a number > 0', rate?.requestsPerSecond);
  need(intAtLeast(rate?.burst, 1), 'rate.burst', 'an integer >= 1', rate?.burst);
  need(intAtLeast(rate?.maxConcurrent, 1), 'rate.maxConcurrent', 'an integer >= 1', rate?.maxConcurrent);
  const rateLimit: LimiterStoreOptions = { ...DEFAULT_LIMITER_STORE, ...(input.rateLimit ?? {}) };
  need(rateLimit.store === 'local' || rateLimit.store === 'redis', 'rateLimit.store', "'local' or 'redis'", rateLimit.store);
  // Never echo the URL: it may hold a Redis password.
  if (rateLimit.store === 'redis') need(typeof rateLimit.redisUrl === 'string' && /^rediss?:\/\//.test(rateLimit.redisUrl), 'rateLimit.redisUrl', 'a redis:// or rediss:// URL', rateLimit.redisUrl ? '<set>' : '<empty>');
  need(finitePositive(rateLimit.fallbackShare) && rateLimit.fallbackShare <= 1, 'rateLimit.fallbackShare', 'a number in (0, 1]', rateLimit.fallbackShare);
  need(intAtLeast(rateLimit.heartbeatMs, 10), 'rateLimit.heartbeatMs', 'an integer >= 10', rateLimit.heartbeatMs);
  need(intAtLeast(retry?.maxRetries, 0), 'retry.maxRetries', 'an integer >= 0', retry?.maxRetries);
  need(finitePositive(retry?.baseDelayMs), 'retry.baseDelayMs', 'a number > 0', retry?.baseDelayMs);
  need(finitePositive(retry?.maxDelayMs), 'retry.maxDelayMs', 'a number > 0', retry?.maxDelayMs);
  need(finitePositive(timeouts?.connectMs), 'timeouts.connectMs', 'a number > 0', timeouts?.connectMs);
  need(finitePositive(timeouts?.responseMs), 'timeouts.responseMs', 'a number > 0', timeouts?.responseMs);
  need(intAtLeast(breaker?.failureThreshold, 1), 'breaker.failureThreshold', 'an integer >= 1', breaker?.failureThreshold);
  need(finitePositive(breaker?.halfOpenAfterMs), 'breaker.halfOpenAfterMs', 'a number > 0', breaker?.halfOpenAfterMs);
  // A logger that is already the 'remote' child (the CLI passes one) is used as is: no duplicate binding.
  const alreadyRemote = input.logger?.bindings?.().module === 'remote';
  const logger = input.logger?.child && !alreadyRemote ? input.logger.child({ module: 'remote' }) : (input.logger ?? silent);
  return Object.freeze({
    baseUrl: input.baseUrl,
    auth: Object.freeze({ ...auth }),
    rate: Object.freeze({ ...rate }),
    rateLimit: Object.freeze(rateLimit),
    source: input.source ?? 'confluence',
    retry: Object.freeze({ ...retry }),
    timeouts: Object.freeze({ ...timeouts }),
    breaker: Object.freeze({ ...breaker }),
    allowInsecureHttp: input.allowInsecureHttp ?? false,
    logger,
    clock: input.clock ?? { now: () => Date.now() },
    sleep: input.sleep ?? realSleep,
    random: input.random ?? Math.random,
    userAgent: input.userAgent ?? USER_AGENT,
    hooks: Object.freeze({ ...(input.hooks ?? {}) }),
    flavour: input.flavour,
    sameBody: input.sameBody ?? ((a: string, b: string) => a === b),
  });
}

/**
 * Every request to a site goes through `Transport.send`: breaker gate → concurrency slot (Bottleneck) → rate
 * limiter (a Bottleneck limiter, local or shared through Redis, limiter.ts) → one HTTP attempt → classify → maybe wait and retry. Decisions come from pure modules (classify.ts,
 * core/backoff.ts, rate-policy.ts); this file only sequences them and waits.
 */
import type { Readable } from 'node:stream';
import Bottleneck from 'bottleneck';
import type { Got, Response } from 'got';
import { CsyncError, RemoteError } from '../core/errors.js';
import { parseRetryAfterMs, retryDelayMs } from '../core/backoff.js';
import { CircuitBreaker } from './breaker.js';
import { atlassianMessage, classifyNetworkError, classifyStatus, forSource, invalidResponseDecision, type FailureDecision } from './classify.js';
import { createSiteHttp, type SiteHttp } from './http.js';
import type { NormalizedOptions } from './options.js';
import { limiterId, SourceLimiter } from './limiter.js';
import { readRateHeaders, resetInMs } from './rate-headers.js';
import type { SiteUrls } from './site-url.js';
import { StatsCollector } from './stats.js';
import { abortError, raceAbort, runSignal, throwIfRunAborted } from '../core/run-signal.js';
import { jsonBody, LongStringDropper, type JsonBody } from './json-stream.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** Query values; arrays go out exploded (`id=1&id=2`), the OpenAPI default form style the spec declares. */
export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export interface HttpRequest {
  /** Operation name for metrics and logs, e.g. 'pages.list'. */
  op: string;
  method: Method;
  /** Absolute URL without query. */
  url: string;
  query?: Query | undefined;
  /** A JSON body; one holding a long string (a page's storage) is written in pieces (json-stream.ts). */
  json?: unknown;
  /** Multipart body; a factory because a body must be rebuilt for every attempt. */
  form?: (() => Promise<FormData>) | undefined;
  headers?: Record<string, string> | undefined;
  /** Safe to resend blindly (GET, PUT with a version guard, DELETE). */
  idempotent: boolean;
  /** After an attempt that may have been applied, a later 404 means the (delete) already happened. */
  notFoundMeansDone?: boolean | undefined;
  /** Aborts the attempt in flight (passed to got). */
  signal?: AbortSignal | undefined;
  /**
   * The answer is read as a stream and kept without its string values over 64 KiB (each becomes `""`, counted in
   * `HttpAnswer.dropped`): for writes whose answer repeats the big body just sent.
   */
  dropLongStrings?: boolean | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** A previous attempt of this request may have been applied by the server. */
  afterAmbiguous: boolean;
  /** What the sink returned, for streamed requests. */
  value?: unknown;
  /** Long string values left out of `body` (`HttpRequest.dropLongStrings`). */
  dropped?: number | undefined;
}

/** Thrown by a parse function when a 2xx body is not what the API promises. */
export class InvalidBodyProblem extends Error {}

/** A 2xx JSON body that fails the client's schema (zod): the API changed under us (counted as schema drift). */
export class SchemaDriftProblem extends InvalidBodyProblem {}

type AttemptResult =
  | { ok: true; answer: Omit<HttpAnswer, 'afterAmbiguous'> }
  | { ok: false; decision: FailureDecision; error: RemoteError; retryAfterMs: number | undefined };

export interface SendOptions<T> {
  /** Turns a 2xx (or accepted) answer into the result; throw InvalidBodyProblem for a malformed body. */
  parse: (answer: HttpAnswer) => T;
  /** Statuses handed to `parse` instead of failing (e.g. 404 for getPage → null). */
  accept?: readonly number[];
  /**
   * For a non-idempotent write whose outcome is unknown: looks for its effect. A value ends the request with it;
   * undefined means "not applied", and the write is retried.
   */
  verify?: () => Promise<T | undefined>;
  /**
   * Streams a 2xx body instead of buffering it (downloads). Runs inside the attempt, so a broken stream is retried
   * like any other failed attempt. Throw InvalidBodyProblem for a body that is provably wrong (short).
   */
  sink?: (body: Readable, headers: Record<string, string | string[] | undefined>) => Promise<unknown>;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '<invalid url>';
  }
}

export class Transport {
  readonly http: SiteHttp;
  readonly breaker: CircuitBreaker;
  readonly rateLimiter: SourceLimiter;
  readonly stats: StatsCollector;
  private readonly limiter: Bottleneck;
  /** The last rate-limit headers seen (for the doctor). */
  lastRateHeaders: Record<string, string> = {};
  /** Server clock minus ours, from the last Date header (ms; for the doctor's clock check). */
  lastClockSkewMs: number | undefined;

  constructor(
    readonly options: NormalizedOptions,
    readonly site: SiteUrls,
  ) {
    this.http = createSiteHttp(options);
    this.stats = new StatsCollector(options.hooks, options.source);
    this.breaker = new CircuitBreaker(options.breaker, options.clock, (state) => {
      options.logger.warn({ host: site.host, state }, `circuit breaker ${state}`);
      this.stats.breakerChanged(state);
    });
    const account = options.auth.kind === 'basic' ? `basic:${options.auth.email.toLowerCase()}` : `bearer:${options.auth.token}`;
    this.rateLimiter = new SourceLimiter(options.rate, limiterId(options.source, site.host, account), options.rateLimit, options.clock, options.sleep, options.logger, (store, reason) =>
      this.stats.limiterStoreChanged(store, reason),
    );
    // This process's concurrency cap and queue; the pace (and the budget shared with other processes) is the rate
    // limiter's, inside each attempt.
    this.limiter = new Bottleneck({ maxConcurrent: options.rate.maxConcurrent });
  }

  get got(): Got {
    return this.http.got;
  }

  async send<T>(req: HttpRequest, opts: SendOptions<T>): Promise<T> {
    const { retry } = this.options;
    // The run's cancellation (src/core/run-signal.ts), read here in the caller's context: once it fires, no further
    // attempt is sent and the one on the wire is torn down.
    const signal = req.signal ?? runSignal();
    let afterAmbiguous = false;
    // Serialised once for every attempt; a long string is written in pieces by each attempt, never held as JSON.
    const body = req.json !== undefined ? jsonBody(req.json) : undefined;
    for (let attempt = 0; ; attempt++) {
      throwIfRunAborted(signal);
      const queued = this.limiter.schedule(() => this.attempt(req, attempt, opts.accept ?? [], opts.sink, signal, body));
      this.reportQueue();
      const result = await queued.finally(() => this.reportQueue());
      let failure: Extract<AttemptResult, { ok: false }>;
      if (result.ok) {
        try {
          return opts.parse({ ...result.answer, afterAmbiguous });
        } catch (err) {
          if (!(err instanceof InvalidBodyProblem)) throw err;
          if (err instanceof SchemaDriftProblem) this.stats.schemaDrift({ op: req.op, path: pathOf(req.url), problem: err.message });
          const decision = forSource(invalidResponseDecision(err.message), this.options.source);
          failure = { ok: false, decision, retryAfterMs: undefined, error: this.toError(req, decision, result.answer.status, undefined, undefined) };
          this.options.logger.warn({ op: req.op, path: pathOf(req.url), problem: err.message }, 'malformed response');
        }
      } else {
        failure = result;
      }
      const { decision } = failure;
      // A delete whose earlier attempt may have landed: "not found" now means it did.
      if (afterAmbiguous && req.notFoundMeansDone && decision.code === 'CSYNC_NOT_FOUND') return opts.parse({ status: 204, headers: {}, body: '', afterAmbiguous });
      const retryable = decision.retry === 'safe' || (decision.retry === 'ambiguous' && (req.idempotent || opts.verify !== undefined));
      if (!retryable) throw failure.error;
      if (decision.retry === 'ambiguous') {
        afterAmbiguous = true;
        if (!req.idempotent && opts.verify) {
          // Never write twice: find out whether the write happened before sending it again (and, on the last
          // attempt, before reporting a failure that did not happen).
          this.stats.verifiedWrites += 1;
          const found = await opts.verify();
          if (found !== undefined) {
            this.options.logger.info({ op: req.op, path: pathOf(req.url) }, 'write had been applied despite the error; not repeating it');
            return found;
          }
        }
      }
      if (attempt >= retry.maxRetries) throw failure.error;
      const delay = retryDelayMs(attempt + 1, retry, failure.retryAfterMs, this.options.random());
      this.stats.retry({ op: req.op, method: req.method, path: pathOf(req.url), attempt: attempt + 1, delayMs: delay, code: decision.code });
      this.options.logger.debug({ op: req.op, path: pathOf(req.url), code: decision.code, attempt: attempt + 1, delayMs: delay }, 'retrying');
      await raceAbort(this.options.sleep(delay), signal);
    }
  }

  /** One attempt, run inside a concurrency slot. Never throws for request failures: returns them classified. */
  private async attempt(req: HttpRequest, attempt: number, accept: readonly number[], sink: SendOptions<unknown>['sink'], signal: AbortSignal | undefined, body: JsonBody | undefined): Promise<AttemptResult> {
    const path = pathOf(req.url);
    throwIfRunAborted(signal);
    const gate = this.breaker.tryAcquire();
    if (!gate.allowed) {
      const seconds = Math.ceil(gate.retryInMs / 1000);
      const error = new RemoteError(
        'CSYNC_CIRCUIT_OPEN',
        `${req.method} ${path}: not sent, ${this.site.host} failed ${this.options.breaker.failureThreshold} times in a row (circuit open)`,
        { method: req.method, path },
        { hint: `requests to ${this.site.host} resume with a probe in ${seconds} s; check the server or network (status.atlassian.com for Cloud)` },
      );
      return { ok: false, error, retryAfterMs: undefined, decision: { code: 'CSYNC_CIRCUIT_OPEN', retry: 'no', breakerFailure: false, what: 'circuit open', hint: error.hint ?? '' } };
    }
    // Build the body before taking a rate token: a missing local file is the caller's problem, not a retryable one.
    let form: FormData | undefined;
    if (req.form) {
      try {
        form = await req.form();
      } catch (err) {
        // Nothing was sent: the site's health is unknown, so a half-open breaker is not closed by this.
        this.breaker.abandon(gate.probe);
        throw new CsyncError('CSYNC_IO', `cannot read the file to upload for ${req.method} ${path}: ${(err as Error).message}`, { hint: 'check that the file exists and is readable', cause: err });
      }
    }
    const waited = await this.rateLimiter.acquire();
    if (signal?.aborted) {
      this.rateLimiter.release();
      this.breaker.recordNeutral(gate.probe);
      throw abortError(signal);
    }
    const t0 = performance.now();
    let response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string };
    let value: unknown;
    let dropped: number | undefined;
    // A JSON body in pieces: the same bytes and headers got sends for `json` (Content-Type, Content-Length).
    const payload = body
      ? { body: body.pieces(), headers: { 'content-type': 'application/json', ...req.headers, 'content-length': String(body.length) } }
      : { ...(req.json !== undefined ? { json: req.json } : {}), ...(form ? { body: form } : {}), headers: req.headers ?? {} };
    try {
      if (req.dropLongStrings && !sink) {
        const streamed = await this.openStream(req, signal, payload);
        const dropper = new LongStringDropper();
        for await (const chunk of streamed.stream) dropper.push(chunk as Buffer);
        response = { statusCode: streamed.status, headers: streamed.headers, body: dropper.text() };
        dropped = dropper.dropped;
      } else if (sink) {
        const streamed = await this.openStream(req, signal);
        response = { statusCode: streamed.status, headers: streamed.headers, body: '' };
        if (streamed.status >= 200 && streamed.status < 300) value = await sink(streamed.stream, streamed.headers);
        else response.body = await readAll(streamed.stream);
      } else {
        const r: Response<string> = await this.got(req.url, {
          method: req.method,
          searchParams: cleanQuery(req.query),
          ...payload,
          ...(signal ? { signal } : {}),
        });
        response = { statusCode: r.statusCode, headers: r.headers as Record<string, string | string[] | undefined>, body: r.body };
      }
    } catch (err) {
      this.rateLimiter.release();
      if (signal?.aborted) {
        // Cancelled by the run, not a failure of the site: no retry, nothing held against the breaker.
        this.breaker.recordNeutral(gate.probe);
        throw abortError(signal);
      }
      const ms = performance.now() - t0;
      if (err instanceof InvalidBodyProblem) {
        // A streamed body that proved wrong (short): the server answered, so the site is not unhealthy.
        this.breaker.recordNeutral(gate.probe);
        const decision = forSource(invalidResponseDecision(err.message), this.options.source);
        this.stats.request({ op: req.op, method: req.method, path, status: 200, ms, attempt, code: decision.code, limiterWaitMs: waited });
        return { ok: false, decision, retryAfterMs: undefined, error: this.toError(req, decision, 200, undefined, undefined) };
      }
      const e = err as { code?: string; name?: string };
      const decision = forSource(classifyNetworkError(e.code, e.name), this.options.source);
      if (decision.breakerFailure) this.breaker.recordFailure(gate.probe);
      else this.breaker.recordNeutral(gate.probe);
      this.stats.request({ op: req.op, method: req.method, path, status: 0, ms, attempt, code: decision.code, limiterWaitMs: waited });
      // The got error is not attached as cause: it holds the request options, headers included.
      const error = new RemoteError(decision.code, `${req.method} ${path}: ${decision.what}`, { method: req.method, path }, { hint: decision.hint, details: { errorCode: e.code, attempt } });
      return { ok: false, decision, error, retryAfterMs: undefined };
    }
    const ms = performance.now() - t0;
    const status = response.statusCode;
    const headers = response.headers;
    const retryAfterMs = parseRetryAfterMs(headers['retry-after'], Date.now());
    const rate = readRateHeaders(headers);
    this.rememberRateHeaders(headers);
    const serverDate = typeof headers.date === 'string' ? Date.parse(headers.date) : Number.NaN;
    if (!Number.isNaN(serverDate)) this.lastClockSkewMs = serverDate - Date.now();
    this.rateLimiter.release({
      status,
      remaining: rate.remaining,
      limit: rate.limit,
      nearLimit: rate.nearLimit,
      fillPerSecond: rate.fillPerSecond,
      resetInMs: resetInMs(rate.reset, Date.now()),
      retryAfterMs,
      fallbackPauseMs: this.options.retry.baseDelayMs,
    });
    const ok = (status >= 200 && status < 300) || accept.includes(status);
    const decision = ok ? undefined : forSource(classifyStatus(status, this.options.auth.kind), this.options.source);
    if (decision?.breakerFailure) this.breaker.recordFailure(gate.probe);
    else this.breaker.recordSuccess(gate.probe);
    this.stats.request({ op: req.op, method: req.method, path, status, ms, attempt, code: decision?.code, limiterWaitMs: waited });
    if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
      this.stats.rateLimitedEvent({ op: req.op, path, retryAfterMs });
      this.options.logger.warn({ op: req.op, path, status, retryAfterMs }, 'rate limited: pausing all requests to the site');
    }
    if (!decision) return { ok: true, answer: { status, headers, body: response.body, value, ...(dropped !== undefined ? { dropped } : {}) } };
    const serverMessage = atlassianMessage(response.body);
    return { ok: false, decision, retryAfterMs, error: this.toError(req, decision, status, serverMessage, retryAfterMs) };
  }

  /** Requests waiting for a concurrency slot, and the ones in flight (the limiter-queue gauge). */
  private reportQueue(): void {
    const c = this.limiter.counts();
    this.stats.queue((c.RECEIVED ?? 0) + (c.QUEUED ?? 0), (c.RUNNING ?? 0) + (c.EXECUTING ?? 0));
  }

  private toError(req: HttpRequest, decision: FailureDecision, status: number | undefined, serverMessage: string | undefined, retryAfterMs: number | undefined): RemoteError {
    const path = pathOf(req.url);
    const tail = serverMessage ? `: ${serverMessage}` : '';
    return new RemoteError(
      decision.code,
      `${req.method} ${path}: ${decision.what}${tail}`,
      { method: req.method, path, status, serverMessage, retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000) },
      { hint: decision.hint },
    );
  }

  private rememberRateHeaders(headers: Record<string, string | string[] | undefined>): void {
    const seen: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if ((k.startsWith('x-ratelimit') || k === 'retry-after' || k === 'ratelimit-reason') && v !== undefined) seen[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    if (Object.keys(seen).length > 0) this.lastRateHeaders = seen;
  }

  /** Starts a streamed request (a download, or a write whose answer is read as a stream) and resolves once the status line and headers are in. */
  private openStream(
    req: HttpRequest,
    signal?: AbortSignal,
    payload: { body?: Iterable<string> | FormData; json?: unknown; headers: Record<string, string> } = { headers: req.headers ?? {} },
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; stream: Readable }> {
    return new Promise((resolve, reject) => {
      const stream = this.got.stream(req.url, { method: req.method, searchParams: cleanQuery(req.query), ...payload, ...(signal ? { signal } : {}) });
      stream.once('response', (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
        resolve({ status: res.statusCode, headers: res.headers, stream });
      });
      stream.once('error', reject);
    });
  }

  async close(): Promise<void> {
    await this.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.rateLimiter.close();
    this.http.close();
  }
}

function cleanQuery(query: Query | undefined): URLSearchParams | undefined {
  if (!query) return undefined;
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly (string | number)[]) out.append(k, String(item));
    else out.append(k, String(v));
  }
  return out;
}

async function readAll(stream: Readable, max = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    if (size < max) chunks.push(b);
    size += b.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, max);
}

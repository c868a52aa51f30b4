/**
 * `csync export --via URL NAME`: the client of the daemon's export job API (src/daemon/exports-http.ts).
 * submit (POST /exports; a definition already running is followed instead) → poll GET /exports/{id} adaptively
 * (fast at first and near the end, slower in between; a stall is reported when nothing moves for N polls) →
 * download /exports/{id}/bundle as a stream with progress → check length and SHA-256 against the headers →
 * verify the manifest and SHA256SUMS (verify.ts) → extract (extract.ts) and/or keep the zip.
 * Loopback URLs only, unless allowRemote: the API has no authentication and speaks plain HTTP.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsyncError, ERROR_CODES, UsageError, type ErrorCode } from '../core/errors.js';
import { isLoopbackHost } from '../daemon/listen.js';
import { extractBundle } from './extract.js';
import type { JobState } from './types.js';
import { verifyBundle } from './verify.js';

export interface ViaJob {
  id: string;
  name: string | null;
  state: JobState;
  step: string;
  progress: { items: number; done: number; failed: number; bytes: number; requests: number };
  etaSeconds: number | null;
  error: string | null;
  errors?: Array<{ id: string; title: string; error: string | null }>;
}

export interface ViaOptions {
  baseUrl: string;
  name: string;
  allowRemote?: boolean | undefined;
  /** Extract into this new folder. */
  to?: string | undefined;
  /** Keep the downloaded zip here. */
  keepZip?: string | undefined;
  /** Polls without any progress before a stall is reported (default 20). */
  stallPolls?: number | undefined;
  progress?: ((e: { phase: string; done: number; total?: number | undefined }) => void) | undefined;
  note?: ((message: string) => void) | undefined;
  /** Poll timing (tests): fastest and slowest interval, ms. */
  pollMs?: { fast: number; slow: number } | undefined;
  /** Stops waiting and downloading (Ctrl-C): the partial download is removed; the job goes on in the daemon. */
  signal?: AbortSignal | undefined;
}

export interface ViaResult {
  job: ViaJob;
  bytes: number;
  sha256: string;
  files: number;
  extractedTo?: string | undefined;
  zip?: string | undefined;
  polls: number;
  stalls: number;
}

const DEFAULT_POLL = { fast: 250, slow: 3000 };

/** The API's base URL, checked: http(s), no credentials, loopback unless allowed. */
export function apiBase(url: string, allowRemote: boolean): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--via ${url} is not a URL`, { hint: 'the daemon\'s listener, e.g. http://127.0.0.1:9464 (watch.listen)' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--via ${url}: expected an http:// URL (the daemon's listener)`);
  if (u.username || u.password) throw new UsageError('--via: a URL with credentials is refused', { hint: 'the job API takes none: give http://HOST:PORT' });
  if (!isLoopbackHost(u.hostname) && !allowRemote) {
    throw new UsageError(`--via ${u.host} is not a loopback address`, {
      hint: 'the daemon serves the job API on loopback (127.0.0.1) only; through a tunnel or a protected network, pass --via-remote',
    });
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * The next poll interval: fast for the first polls and once the job is near its end (90 % of items, or an ETA within
 * two slow intervals), otherwise growing by half each poll up to the slow interval.
 */
export function nextPollMs(poll: number, previous: number, job: Pick<ViaJob, 'progress' | 'etaSeconds' | 'step'>, t = DEFAULT_POLL): number {
  if (poll < 8) return t.fast;
  const { items, done } = job.progress;
  const nearEnd = (items > 0 && done / items >= 0.9) || (job.etaSeconds !== null && job.etaSeconds * 1000 <= 2 * t.slow) || ['render-bundle', 'bundle', 'verify', 'completed', 'done'].includes(job.step);
  if (nearEnd) return t.fast;
  return Math.min(t.slow, Math.max(t.fast, Math.round(previous * 1.5)));
}

function interrupted(signal: AbortSignal | undefined): CsyncError | undefined {
  return signal?.aborted
    ? new CsyncError('CSYNC_INTERRUPTED', 'interrupted: stopped waiting for the daemon; nothing was kept', { hint: 'the export goes on in the daemon; run the command again to fetch it' })
    : undefined;
}

async function call(url: string, init: RequestInit = {}, signal?: AbortSignal): Promise<Response> {
  try {
    // The timeout covers the headers; the body of a download is read after this returns, under `signal` alone.
    const timeout = AbortSignal.timeout(30_000);
    return await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (err) {
    const stop = interrupted(signal);
    if (stop) throw stop;
    throw new CsyncError('CSYNC_NETWORK', `cannot reach the daemon at ${new URL(url).origin}: ${(err as Error).message}`, {
      hint: 'is `csync watch` running? Its listener is watch.listen (default 127.0.0.1:9464)',
      cause: err,
    });
  }
}

async function apiError(res: Response, what: string): Promise<CsyncError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; hint?: string } };
  const e = body.error;
  const code: ErrorCode = res.status === 404 ? 'CSYNC_USAGE' : (ERROR_CODES as readonly string[]).includes(e?.code ?? '') ? (e!.code as ErrorCode) : 'CSYNC_SERVER';
  return new CsyncError(code, `${what}: ${e?.message ?? `HTTP ${res.status}`}`, { hint: e?.hint });
}

export async function fetchViaDaemon(o: ViaOptions): Promise<ViaResult> {
  const base = apiBase(o.baseUrl, Boolean(o.allowRemote));
  const t = o.pollMs ?? DEFAULT_POLL;
  const stallPolls = o.stallPolls ?? 20;
  if (o.to && existsSync(o.to)) throw new UsageError(`--to ${o.to} exists`, { hint: 'name a new folder' });
  if (o.keepZip && existsSync(o.keepZip) && !lstatSync(o.keepZip).isFile()) throw new UsageError(`--out ${o.keepZip} exists and is not a file`);

  // 1. submit (or follow the run already in progress)
  const sub = await call(`${base}/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: o.name }) }, o.signal);
  let id: string;
  if (sub.status === 202) id = ((await sub.json()) as { id: string }).id;
  else if (sub.status === 409) {
    const body = (await sub.json().catch(() => ({}))) as { error?: { runningJob?: string; message?: string } };
    if (!body.error?.runningJob) throw new CsyncError('CSYNC_LOCKED', `the daemon refused export ${o.name}: ${body.error?.message ?? 'HTTP 409'}`);
    id = body.error.runningJob;
    o.note?.(`export ${o.name} is already running as job ${id}: following it`);
  } else throw await apiError(sub, `the daemon refused export ${o.name}`);

  // 2. poll adaptively until the job ends
  let polls = 0;
  let stalls = 0;
  let interval = t.fast;
  let still = 0;
  let lastKey = '';
  let job: ViaJob;
  for (;;) {
    const r = await call(`${base}/exports/${encodeURIComponent(id)}`, {}, o.signal);
    if (!r.ok) throw await apiError(r, `export job ${id}`);
    job = (await r.json()) as ViaJob;
    polls++;
    o.progress?.({ phase: `${o.name}: ${job.step}`, done: job.progress.done, total: job.progress.items || undefined });
    // `done`: what a daemon of an earlier version calls a completed job (shown as completed here too).
    if ((job.state as string) === 'done') job = { ...job, state: 'completed' };
    if (job.state === 'completed') break;
    if (job.state === 'failed' || job.state === 'cancelled') {
      throw new CsyncError(job.state === 'cancelled' ? 'CSYNC_INTERRUPTED' : 'CSYNC_SERVER', `export job ${id} (${o.name}) ${job.state}: ${job.error ?? 'no reason recorded'}`, {
        hint: 'the daemon log (logs/csync.N.log) has the details; GET /exports/' + id,
      });
    }
    const key = `${job.state}|${job.step}|${job.progress.done}|${job.progress.bytes}|${job.progress.requests}`;
    if (key === lastKey) {
      still++;
      if (still === stallPolls) {
        stalls++;
        o.note?.(`export job ${id} has not moved for ${stallPolls} polls (step ${job.step}, ${job.progress.done}/${job.progress.items} items): still waiting; Ctrl-C stops waiting (the job goes on in the daemon)`);
      }
    } else {
      if (still >= stallPolls) o.note?.(`export job ${id} moves again (step ${job.step})`);
      still = 0;
      lastKey = key;
    }
    interval = nextPollMs(polls, interval, job, t);
    await sleep(interval, undefined, { signal: o.signal }).catch(() => undefined);
    const stop = interrupted(o.signal);
    if (stop) throw stop;
  }

  // 3. download as a stream, hashing as it goes
  const res = await call(`${base}/exports/${encodeURIComponent(id)}/bundle`, {}, o.signal);
  if (!res.ok || !res.body) throw await apiError(res, `the bundle of export job ${id}`);
  const expected = res.headers.get('x-checksum-sha256')?.toLowerCase();
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (!expected || !/^[0-9a-f]{64}$/.test(expected)) throw new CsyncError('CSYNC_INTEGRITY', `the daemon sent the bundle of job ${id} without an X-Checksum-Sha256 header`);
  const dir = dirname(o.keepZip ?? o.to!);
  mkdirSync(dir, { recursive: true });
  removeStalePartials(dir, basename(o.keepZip ?? o.to!), o.note);
  const tmp = join(dir, `.${basename(o.keepZip ?? o.to!)}.csync-via-${process.pid}-${randomBytes(3).toString('hex')}.zip.partial`);
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      hash.update(chunk);
      o.progress?.({ phase: `${o.name}: download`, done: bytes, total: Number.isFinite(length) ? length : undefined });
      cb(null, chunk);
    },
  });
  try {
    try {
      await pipeline(Readable.fromWeb(res.body as never), count, createWriteStream(tmp, { flags: 'wx', mode: 0o644 }), { signal: o.signal });
    } catch (err) {
      throw interrupted(o.signal) ?? err;
    }
    const sha256 = hash.digest('hex');
    if (Number.isFinite(length) && bytes !== length) throw new CsyncError('CSYNC_INTEGRITY', `the bundle of job ${id} arrived with ${bytes} of ${length} bytes`, { hint: 'run the command again' });
    if (sha256 !== expected) throw new CsyncError('CSYNC_INTEGRITY', `the bundle of job ${id} does not match its checksum (got ${sha256}, the daemon said ${expected})`, { hint: 'run the command again' });
    // 4. the manifest and every file's checksum
    const v = await verifyBundle(tmp);
    if (!v.ok) throw new CsyncError('CSYNC_INTEGRITY', `the bundle of job ${id} does not verify: ${v.problems.join('; ')}`);
    let extractedTo: string | undefined;
    if (o.to) {
      await extractBundle(tmp, o.to);
      const w = await verifyBundle(o.to);
      if (!w.ok) throw new CsyncError('CSYNC_INTEGRITY', `the extracted bundle in ${o.to} does not verify: ${w.problems.join('; ')}`);
      extractedTo = o.to;
    }
    if (o.keepZip) renameSync(tmp, o.keepZip);
    return { job, bytes, sha256, files: v.files, extractedTo, zip: o.keepZip, polls, stalls };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes the partial downloads an earlier run for the same target left behind (killed before it could clean up):
 * `.NAME.csync-via-PID-RANDOM.zip.partial` whose process is gone. A run in progress (its process alive) keeps its own.
 */
export function removeStalePartials(dir: string, name: string, note?: (m: string) => void): string[] {
  const prefix = `.${name}.csync-via-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.zip.partial')) continue;
    const pid = Number(/^(\d+)-/.exec(n.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) continue;
    const file = join(dir, n);
    try {
      if (!lstatSync(file).isFile()) continue;
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      /* gone meanwhile */
    }
  }
  if (removed.length) note?.(`removed ${removed.length} partial download(s) an interrupted run left: ${removed.map((f) => basename(f)).join(', ')}`);
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The daemon's export job API, on its loopback listener beside /healthz and /metrics (same loopback rule):
 *   POST /exports {"name": NAME}   → 202 {id, name, state, status}; 404 unknown definition; 409 already running
 *   GET  /exports                  → {definitions, jobs}: every job of the workspace, newest first
 *   GET  /exports/{id}             → state, step, progress (items, bytes), ETA, errors
 *   GET  /exports/{id}/bundle      → the zip, streamed, with Content-Length, X-Checksum-Sha256 and Digest (a folder
 *                                    bundle is zipped on the fly: exports-zip.ts)
 * Errors are JSON {error: {code, message, hint}}. Requests must come from a loopback peer and name a loopback
 * Host (no DNS rebinding); POST needs Content-Type application/json (a web page cannot send that without a CORS
 * preflight, which is never answered), so a browser tab cannot start exports.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CsyncError } from '../core/errors.js';
import { etaSeconds } from '../export/job-state.js';
import { periodOf } from '../export/definitions.js';
import type { JobRecord } from '../export/types.js';
import { scrub } from '../obs/redact.js';
import { errorBody } from './control.js';
import type { ExportScheduler } from './exports.js';
import { folderZipDigest, folderZipStream } from './exports-zip.js';
import { isLoopbackHost } from './listen.js';

const MAX_BODY = 16 * 1024;

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra });
  res.end(scrub(JSON.stringify(body)) + '\n');
}

function fail(res: ServerResponse, status: number, code: CsyncError['code'], message: string, hint?: string, extra: Record<string, unknown> = {}): void {
  json(res, status, { error: { code, message, ...(hint ? { hint } : {}), ...extra } });
}

function loopbackRequest(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  const peer = a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return peer && isLoopbackHost(host);
}

/** A job as the API shows it. */
export function jobView(job: JobRecord, now = Date.now()): Record<string, unknown> {
  const p = job.progress;
  const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
  return {
    id: job.id,
    name: job.spec.definition ?? null,
    state: job.state,
    step: p.step,
    progress: { items: p.items, done: p.done, failed: p.failed, bytes: p.bytes, requests: p.requests },
    etaSeconds: job.state === 'running' && started ? (etaSeconds(p.done, p.items, now - started) ?? null) : job.state === 'completed' ? 0 : null,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    endedAt: job.endedAt ?? null,
    error: job.error ?? null,
    target: job.spec.publishTo ?? job.spec.zip ?? job.spec.out ?? null,
    status: `/exports/${job.id}`,
    ...(job.state === 'completed' ? { bundle: `/exports/${job.id}/bundle` } : {}),
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new CsyncError('CSYNC_USAGE', 'request body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    throw new CsyncError('CSYNC_USAGE', 'the request body is not JSON', { hint: 'send {"name": "DEFINITION"}' });
  }
}

/** Handles /exports and below; false for other paths (the caller answers them). */
export async function handleExports(req: IncomingMessage, res: ServerResponse, path: string, scheduler: ExportScheduler): Promise<boolean> {
  if (path !== '/exports' && !path.startsWith('/exports/')) return false;
  if (!loopbackRequest(req)) {
    fail(res, 403, 'CSYNC_FORBIDDEN', 'the export API answers loopback requests to a loopback host name only');
    return true;
  }
  const method = req.method ?? 'GET';
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 1) {
    if (method === 'POST') {
      await submit(req, res, scheduler);
      return true;
    }
    if (method !== 'GET') {
      fail(res, 405, 'CSYNC_USAGE', `${method} /exports is not allowed`, 'GET lists jobs, POST {"name"} starts one', {});
      return true;
    }
    const defs = scheduler.definitions().map((d) => ({ name: d.name, every: periodOf(d) ?? null, onChange: Boolean(d.onChange), running: scheduler.runningJob(d.name) ?? null, current: scheduler.currentJob(d.name)?.id ?? null }));
    json(res, 200, { definitions: defs, jobs: scheduler.store.list().map((j) => jobView(j)) });
    return true;
  }
  if (method !== 'GET') {
    fail(res, 405, 'CSYNC_USAGE', `${method} ${path} is not allowed`, 'only GET');
    return true;
  }
  const id = decodeURIComponent(parts[1]!);
  const job = scheduler.store.get(id);
  if (!job || parts.length > 3 || (parts.length === 3 && parts[2] !== 'bundle')) {
    fail(res, 404, 'CSYNC_NOT_FOUND', job ? `no such endpoint ${path}` : `no export job ${id}`, 'GET /exports lists the jobs');
    return true;
  }
  if (parts.length === 2) {
    const failed = scheduler.store.items(id).filter((i) => i.status === 'failed');
    json(res, 200, { ...jobView(job), errors: failed.map((i) => ({ id: i.id, title: i.title, error: i.error ?? null })) });
    return true;
  }
  await serveBundle(res, job, scheduler);
  return true;
}

async function submit(req: IncomingMessage, res: ServerResponse, scheduler: ExportScheduler): Promise<void> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    fail(res, 415, 'CSYNC_USAGE', 'POST /exports needs Content-Type: application/json', 'send {"name": "DEFINITION"} as JSON');
    return;
  }
  let body: unknown;
  try {
    body = await readBody(req);
  } catch (err) {
    json(res, 400, errorBody(err));
    return;
  }
  const name = (body as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !name) {
    fail(res, 400, 'CSYNC_USAGE', 'POST /exports needs {"name": "DEFINITION"}', `the definitions: ${scheduler.definitions().map((d) => d.name).join(', ') || '(none configured)'}`);
    return;
  }
  if (!scheduler.definitions().some((d) => d.name === name)) {
    fail(res, 404, 'CSYNC_NOT_FOUND', `no export definition named ${JSON.stringify(name)}`, scheduler.definitions().length ? `the configured ones: ${scheduler.definitions().map((d) => d.name).join(', ')}` : 'add one under "exports" in config/csync.json');
    return;
  }
  const running = scheduler.runningJob(name);
  if (running) {
    fail(res, 409, 'CSYNC_LOCKED', `export ${name} is already running as job ${running}`, `follow it: GET /exports/${running}`, { runningJob: running });
    return;
  }
  try {
    const { jobId } = scheduler.submit(name);
    const job = scheduler.store.get(jobId)!;
    json(res, 202, jobView(job), { location: `/exports/${jobId}` });
  } catch (err) {
    json(res, 409, errorBody(err));
  }
}

async function serveBundle(res: ServerResponse, job: JobRecord, scheduler: ExportScheduler): Promise<void> {
  if (job.state !== 'completed') {
    fail(res, 409, 'CSYNC_USAGE', `export job ${job.id} is ${job.state}: no bundle to download`, job.state === 'running' || job.state === 'pending' ? `poll GET /exports/${job.id} until it is completed` : 'start a new export');
    return;
  }
  const path = job.spec.publishTo ?? job.spec.zip ?? job.spec.out;
  if (!path) {
    fail(res, 404, 'CSYNC_NOT_FOUND', `export job ${job.id} has no bundle`, 'start the export again');
    return;
  }
  const name = job.spec.definition;
  const current = name ? scheduler.currentJob(name) : job;
  if (current && current.id !== job.id) {
    fail(res, 409, 'CSYNC_USAGE', `export job ${job.id} was superseded by job ${current.id}: its bundle is gone`, `download /exports/${current.id}/bundle`, { currentJob: current.id });
    return;
  }
  if (!path.toLowerCase().endsWith('.zip')) {
    await serveFolder(res, job, path);
    return;
  }
  let fd: number;
  try {
    if (lstatSync(path).isSymbolicLink()) throw new Error('a link');
    fd = openSync(path, 'r');
  } catch {
    fail(res, 404, 'CSYNC_NOT_FOUND', `the bundle of export job ${job.id} is no longer at ${path}`, 'start the export again');
    return;
  }
  // One descriptor for the hash and the body: a bundle renamed over this one meanwhile does not mix in.
  const size = fstatSync(fd).size;
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let pos = 0; pos < size; ) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) break;
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  const digest = hash.digest();
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': String(size),
    'content-disposition': `attachment; filename="${basename(path).replace(/[^\w.-]/g, '_')}"`,
    'x-checksum-sha256': digest.toString('hex'),
    digest: `sha-256=${digest.toString('base64')}`,
    'x-export-job': job.id,
    'cache-control': 'no-store',
  });
  const stream = createReadStream('', { fd, start: 0, end: Math.max(0, size - 1), autoClose: true });
  if (size === 0) {
    closeSync(fd);
    res.end();
    return;
  }
  stream.pipe(res);
  res.on('close', () => stream.destroy());
}

/** A folder bundle, zipped on the fly: headers from a first pass, the body from a second (exports-zip.ts). */
async function serveFolder(res: ServerResponse, job: JobRecord, path: string): Promise<void> {
  let digest: { size: number; sha256: Buffer };
  try {
    if (!lstatSync(path).isDirectory()) throw new Error('not a folder');
    digest = await folderZipDigest(path);
  } catch {
    fail(res, 404, 'CSYNC_NOT_FOUND', `the bundle of export job ${job.id} is no longer at ${path}`, 'start the export again');
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': String(digest.size),
    'content-disposition': `attachment; filename="${basename(path).replace(/[^\w.-]/g, '_')}.zip"`,
    'x-checksum-sha256': digest.sha256.toString('hex'),
    digest: `sha-256=${digest.sha256.toString('base64')}`,
    'x-export-job': job.id,
    'cache-control': 'no-store',
  });
  try {
    await pipeline(folderZipStream(path), res);
  } catch {
    // The folder changed under us, or the client went away: cut the connection (the client sees a short body).
    res.destroy();
  }
}

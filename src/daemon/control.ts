/**
 * Commands the daemon runs on behalf of a one-shot command while it holds the workspace lock (today: `csync
 * resolve`). The daemon writes cache/daemon.json (mode 0600: its pid, its loopback URL and a random token) once it
 * listens, and removes it at stop. `csync resolve`, finding the lock held by 'watch', posts the request there; the
 * daemon runs it between two engine runs (DaemonLoop.exclusive) and answers with the result or the error.
 *
 * The endpoint answers only loopback peers that send the token (a web page cannot: a custom header needs a CORS
 * preflight, which is refused), so it is no wider than the workspace files themselves.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsyncError, ERROR_CODES, isCsyncError, type ErrorCode } from '../core/errors.js';

export interface ControlFile {
  pid: number;
  url: string;
  token: string;
}

export const TOKEN_HEADER = 'x-csync-token';

export function controlFilePath(workspace: string): string {
  return join(workspace, 'cache', 'daemon.json');
}

/** The URL a local client uses to reach a server listening on `url` (a wildcard host becomes loopback). */
export function loopbackUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Writes cache/daemon.json; returns a remover (which leaves a newer daemon's file alone). */
export function writeControlFile(workspace: string, url: string, token: string): { remove: () => void } {
  const path = controlFilePath(workspace);
  const body: ControlFile = { pid: process.pid, url: loopbackUrl(url), token };
  rmSync(path, { force: true });
  writeFileSync(path, JSON.stringify(body), { mode: 0o600, flag: 'wx' });
  return {
    remove: () => {
      try {
        const now = JSON.parse(readFileSync(path, 'utf8')) as ControlFile;
        if (now.token === token) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

export function readControlFile(workspace: string): ControlFile | undefined {
  try {
    const c = JSON.parse(readFileSync(controlFilePath(workspace), 'utf8')) as Partial<ControlFile>;
    return typeof c.pid === 'number' && typeof c.url === 'string' && typeof c.token === 'string' ? (c as ControlFile) : undefined;
  } catch {
    return undefined;
  }
}

/** The error as the endpoint sends it (never a stack or a cause: the client prints message and hint). */
export function errorBody(err: unknown): { error: { code: ErrorCode; message: string; hint?: string | undefined } } {
  if (isCsyncError(err)) return { error: { code: err.code, message: err.message, hint: err.hint } };
  return { error: { code: 'CSYNC_INTERNAL', message: err instanceof Error ? err.message : String(err) } };
}

/**
 * Posts `body` to the daemon of `workspace` (pid `holderPid`, from the lock) and returns its answer. Undefined when
 * there is no usable daemon endpoint (no control file, another pid, not answering): the caller reports the lock.
 */
export async function askDaemon<T>(workspace: string, holderPid: number, action: string, body: unknown, timeoutMs = 120_000): Promise<T | undefined> {
  const c = readControlFile(workspace);
  if (!c || c.pid !== holderPid) return undefined;
  let res: Response;
  try {
    res = await fetch(`${c.url}/control/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: c.token },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // Hanging up withdraws the request (the daemon drops it unless it already ran): nothing was done.
    if ((err as Error).name === 'TimeoutError') {
      throw new CsyncError('CSYNC_LOCKED', `the daemon did not take the request within ${Math.round(timeoutMs / 1000)} s (a long run is in progress) and it was withdrawn`, {
        hint: 'try again once its run has finished; csync status shows whether the conflict is still there',
      });
    }
    return undefined;
  }
  const answer = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; hint?: string } } & T;
  if (res.ok) return answer;
  const e = answer.error;
  const code = (ERROR_CODES as readonly string[]).includes(e?.code ?? '') ? (e!.code as ErrorCode) : 'CSYNC_INTERNAL';
  throw new CsyncError(code, e?.message ?? `the daemon refused the request (HTTP ${res.status})`, { hint: e?.hint });
}

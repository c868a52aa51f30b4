/**
 * One process per workspace: cache/csync.lock holds {pid, host, command, startedAt}. Created with O_EXCL; a lock
 * whose process is gone (same host, pid not alive) is stale and taken over. A second process is told who holds it.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CsyncError } from '../core/errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export type Release = () => void;

/** Whether process `pid` runs on this machine (signal 0; EPERM: it runs under another user). */
export function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(workspace: string): string {
  return join(workspace, 'cache', 'csync.lock');
}

export function readLock(workspace: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(workspace), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export function acquireWorkspaceLock(workspace: string, command: string): Release {
  const path = lockPath(workspace);
  mkdirSync(join(workspace, 'cache'), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(info), { flag: 'wx', mode: 0o644 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (readLock(workspace)?.pid === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CsyncError('CSYNC_IO', `cannot create the workspace lock ${path}: ${(err as Error).message}`, { cause: err });
      }
      const holder = readLock(workspace);
      const stale = !holder || (holder.host === info.host && !processAlive(holder.pid));
      if (stale) {
        try {
          unlinkSync(path);
        } catch {
          // another process took it over first; try again
        }
        continue;
      }
      throw new CsyncError('CSYNC_LOCKED', `workspace is in use by another csync process: pid ${holder.pid} on ${holder.host} running '${holder.command}' since ${holder.startedAt}`, {
        hint: holder.command === 'watch' ? 'the daemon is syncing this workspace; stop it (systemctl --user stop confluence-sync) or let it do the work' : 'wait for it to finish; if that process is gone, delete cache/csync.lock',
      });
    }
  }
  throw new CsyncError('CSYNC_LOCKED', `could not take the workspace lock ${path}`, { hint: 'another process keeps taking it; try again' });
}

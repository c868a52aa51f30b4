/**
 * A workspace after a push that stopped between a write and its record (the write reached Confluence, the pending
 * record is all the workspace knows of it), and what the dry-run settle tests look at: the pending records, the
 * workspace's bytes, the page lines of a plan.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/index.js';
import { stopAfterWrite } from '../engine/sync-harness.js';
import type { TestWorkspace } from './workspace.js';

export interface PlanSummary {
  plan: Array<{ action: string; path: string }>;
}

/** A push whose first `method` write to a page is applied but never answered (then every request fails). */
export async function stoppedPush(ws: TestWorkspace, method: 'PUT' | 'POST'): Promise<void> {
  const restore = stopAfterWrite(ws.emu, method);
  try {
    assert.notEqual((await ws.csync(['push'])).code, 0, 'the push stopped');
  } finally {
    restore();
  }
}

/** The pending update and create records of space DEMO. */
export function pendingCounts(ws: TestWorkspace): { updates: number; creates: number } {
  const s = openStateStore(join(ws.dir, 'cache', 'state.db'), { readonly: true });
  try {
    return { updates: s.pendingUpdates('DEMO').length, creates: s.pendingCreates('DEMO').length };
  } finally {
    s.close();
  }
}

/**
 * Every file under the workspace folders `dirs` with its bytes' hash: what a dry run must leave as it is. SQLite's
 * read-only open of a WAL database may create an empty -wal and its -shm index (no data): an empty -wal counts as
 * none, -shm is left out.
 */
export function treeBytes(ws: TestWorkspace, dirs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    dirs
      .flatMap((d) => readdirSync(join(ws.dir, d), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('-shm')))
      .map((e) => join(e.parentPath, e.name))
      .filter((p) => !(p.endsWith('-wal') && statSync(p).size === 0))
      .map((p) => [p, createHash('sha256').update(readFileSync(p)).digest('hex')]),
  );
}

/** The plan's page lines (`action path`, attachments left out), sorted. */
export function pageLines(s: PlanSummary): string[] {
  return s.plan
    .filter((l) => !l.path.startsWith('attachments/'))
    .map((l) => `${l.action} ${l.path}`)
    .sort();
}

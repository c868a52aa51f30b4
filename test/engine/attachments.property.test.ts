/**
 * Randomized attachment sync against the real engine (runPull/runPush in-process), SQLite, real files and the
 * emulator over HTTP. A case interleaves local adds/edits/deletes of attachment files, the same by another user in
 * Confluence, and pull/push/sync passes with injected faults (5xx, resets, lost answers to applied writes, runs that
 * crash part way). Then faults stop, one more sync runs, and:
 *   (1) converged: every file and every remote attachment agree byte for byte, or are an explained conflict (state
 *       record 'conflict' whose copy holds the remote bytes); one more sync writes nothing
 *   (2) no edit lost: every token written on either side is in a file, a conflict copy or a current attachment,
 *       unless the side that overwrote or deleted it had it in front of them
 *   (3) no duplicate upload: no attachment has two consecutive versions with the same bytes, no name twice on a page
 *   (4) no safety gate bypassed: no push deleted more attachments than the gate allows
 *   (5) every run terminates: at most MAX_REQUESTS_PER_RUN requests (a step counter, not a clock)
 * Every run explores the fixed seed and one fresh seed (printed); CSYNC_ATT_SEED=<n> runs one seed, CSYNC_ATT_PATH one
 * case of it; `npm run soak` runs a fresh seed alone. Each case gets its own emulator (ids and request counts do
 * not depend on earlier cases) and a case with concurrency 1 replays exactly; a failure prints the replay command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startEmulator, type Emulator, type ScriptedFault } from '../../src/emulator/index.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';
import { runPull } from '../../src/engine/pull.js';
import { runPush } from '../../src/engine/push.js';
import { attachmentDir } from '../../src/engine/resolver.js';
import { getFormat } from '../../src/format/index.js';
import { silentLogger } from '../../src/obs/logger.js';
import type { ConfluenceClient } from '../../src/remote/index.js';
import { openStateStore } from '../../src/state/index.js';
import { createClient, requestBudget } from './sync-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_ATT_CASES ?? (SOAK ? Number(process.env.CSYNC_SOAK_CASES ?? 2000) / 2 : 120));
const seeds = SOAK && process.env.CSYNC_ATT_SEED === undefined ? suiteSeeds('CSYNC_ATT', 20261130, 0, CASES).filter((x) => x.cases > 0) : suiteSeeds('CSYNC_ATT', 20261130, Math.ceil((CASES * 3) / 4), Math.floor(CASES / 4));
const NAMES = ['a.txt', 'b.txt', 'c.png'] as const;
/** Invariant 5's step counter: requests one pull or push may make in a case. */
const MAX_REQUESTS_PER_RUN = 600;
const format = getFormat('markdown');

type Fault = { kind: 'none' } | { kind: 'transient'; what: 'http500' | 'reset' | 'truncated'; method: 'GET' | 'POST' | 'DELETE' } | { kind: 'lost-answer'; method: 'POST' | 'DELETE' } | { kind: 'crash'; after: number };

type Op =
  | { k: 'ladd' | 'radd'; page: number; name: number }
  | { k: 'ledit' | 'ldelete' | 'redit' | 'rdelete'; i: number }
  | { k: 'sync' | 'pull' | 'push'; fault: Fault };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Fault>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transient' as const), what: fc.constantFrom('http500' as const, 'reset' as const, 'truncated' as const), method: fc.constantFrom('GET' as const, 'POST' as const, 'DELETE' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lost-answer' as const), method: fc.constantFrom('POST' as const, 'DELETE' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), after: fc.integer({ min: 0, max: 10 }) }) },
);
const i = fc.nat(16);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('ladd' as const, 'radd' as const), page: fc.nat(1), name: fc.nat(NAMES.length - 1) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constantFrom('ledit' as const, 'redit' as const), i }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('ldelete' as const, 'rdelete' as const), i }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('sync' as const, 'pull' as const, 'push' as const), fault: faultArb }) },
);
// concurrency 1: the case's requests (and where a crash-after-N lands) are the same at every replay; 4: concurrent uploads.
const caseArb = fc.record({ seeded: fc.array(fc.tuple(fc.nat(1), fc.nat(NAMES.length - 1)), { maxLength: 4 }), ops: fc.array(opArb, { minLength: 1, maxLength: 10 }), concurrency: fc.constantFrom(1, 1, 4) });
type Case = { seeded: Array<[number, number]>; ops: Op[]; concurrency: number };

let spaces = 0;

async function runCase(emu: Emulator, client: ConfluenceClient, c: Case): Promise<void> {
  emu.clearFaults();
  const key = `A${++spaces}X${process.pid % 1000}`;
  emu.api.createSpace(key);
  const home = emu.api.createPage(key, `Home ${key}`, '<p>home</p>', null);
  const pages = [emu.api.createPage(key, 'One', '<p>one</p>', home.id), emu.api.createPage(key, 'Two', '<p>two</p>', home.id)];
  const dirs = pages.map((p) => attachmentDir(`content/${key}/Home ${key}/${p.title}.md`));
  let n = 0;
  const token = () => `tok${++n}x`;
  const written = new Set<string>();
  const superseded = new Set<string>();
  const log: string[] = [];
  for (const [p, nm] of c.seeded) {
    const t = token();
    written.add(t);
    const cur = emu.api.attachments(pages[p]!.id).find((x) => x.title === NAMES[nm]);
    if (cur) superseded.add(cur.data.toString('utf8').trim());
    emu.api.addAttachment(pages[p]!.id, NAMES[nm]!, `${t}\n`);
  }
  const ws = mkdtempSync(join(tmpdir(), 'csync-attprop-'));
  const common = { workspace: ws, api: client, spaces: [key], formatFor: () => format, maxDelete: { percent: 50 }, dryRun: false, concurrency: c.concurrency, logger: silentLogger() };
  const gateViolations: string[] = [];
  const abs = (rel: string) => join(ws, rel);
  const localFiles = (): string[] => {
    const out: string[] = [];
    for (const d of dirs) {
      if (!existsSync(abs(d))) continue;
      for (const name of readdirSync(abs(d)).sort()) if (!name.includes('.conflict-')) out.push(`${d}/${name}`);
    }
    return out;
  };
  const copies = (): string[] => dirs.flatMap((d) => (existsSync(abs(d)) ? readdirSync(abs(d)).filter((x) => x.includes('.conflict-')).map((x) => `${d}/${x}`) : []));
  const remoteAll = () => pages.flatMap((p, pi) => emu.api.attachments(p.id).map((a) => ({ a, pi })));
  const tokenOf = (s: string) => s.trim();
  const attachmentRecords = () => {
    const s = openStateStore(join(ws, 'cache', 'state.db'), { readonly: true });
    try {
      return s.attachmentsOfSpace(key);
    } finally {
      s.close();
    }
  };
  const stepViolations: string[] = [];
  const bounded = async <T>(what: string, p: () => Promise<T>): Promise<T> => {
    const over = requestBudget(emu, MAX_REQUESTS_PER_RUN);
    try {
      return await p();
    } finally {
      if (over()) stepViolations.push(`invariant 5: ${what} made more than ${MAX_REQUESTS_PER_RUN} requests`);
    }
  };
  let restore: (() => void) | undefined;
  const attempt = async (what: 'sync' | 'pull' | 'push', f: Fault): Promise<string> => {
    emu.clearFaults();
    if (f.kind === 'transient') emu.scriptFaults([{ kind: f.what, method: f.method, count: 1 } as ScriptedFault]);
    else if (f.kind === 'lost-answer') emu.scriptFaults([{ kind: 'reset-after', method: f.method, count: 1 }]);
    else if (f.kind === 'crash') {
      const through = emu.requestLog().length + f.after;
      const pick = emu.faults.pick.bind(emu.faults);
      emu.faults.pick = (method: string, path: string) => (emu.requestLog().length >= through ? { kind: 'http500' } : pick(method, path));
      restore = () => (emu.faults.pick = pick);
    }
    try {
      if (what !== 'push') await bounded('pull', () => runPull({ ...common, force: false }));
      if (what !== 'pull') {
        const before = existsSync(join(ws, 'cache', 'state.db')) ? attachmentRecords().length : 0;
        const at = emu.requestLog().length;
        try {
          await bounded('push', () => runPush({ ...common, force: false }));
        } finally {
          const deletes = new Set(emu.requestLog().slice(at).filter((r) => r.method === 'DELETE' && /attachments/.test(r.route) && r.status < 300).map((r) => r.path)).size;
          if (deletes > Math.max(0, Math.floor(before / 2))) gateViolations.push(`push deleted ${deletes} of ${before} attachments without --force`);
        }
      }
      return 'ok';
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (stepViolations.length) throw new Error(stepViolations.join('; '));
      if (f.kind === 'none' && e.code !== 'CSYNC_SAFETY_GATE') throw new Error(`a fault-free ${what} failed: ${e.code ?? ''} ${e.message ?? String(err)}`);
      return `failed (${e.code ?? 'error'})`;
    } finally {
      restore?.();
      restore = undefined;
      emu.clearFaults();
    }
  };

  try {
    log.push(`initial sync: ${await attempt('sync', { kind: 'none' })}`);
    for (const op of c.ops) {
      const files = localFiles();
      const remote = remoteAll();
      switch (op.k) {
        case 'ladd':
        case 'ledit': {
          const rel = 'page' in op ? `${dirs[op.page]}/${NAMES[op.name]}` : files[op.i % Math.max(1, files.length)];
          if (!rel) break;
          if (existsSync(abs(rel))) superseded.add(tokenOf(readFileSync(abs(rel), 'utf8')));
          const t = token();
          written.add(t);
          mkdirSync(abs(rel.slice(0, rel.lastIndexOf('/'))), { recursive: true });
          writeFileSync(abs(rel), `${t}\n`);
          log.push(`local write ${rel} = ${t}`);
          break;
        }
        case 'ldelete': {
          const rel = files[op.i % Math.max(1, files.length)];
          if (!rel) break;
          superseded.add(tokenOf(readFileSync(abs(rel), 'utf8')));
          unlinkSync(abs(rel));
          log.push(`local delete ${rel}`);
          break;
        }
        case 'radd':
        case 'redit': {
          const target = 'page' in op ? { pageId: pages[op.page]!.id, name: NAMES[op.name]! } : remote.length ? { pageId: remote[op.i % remote.length]!.a.pageId, name: remote[op.i % remote.length]!.a.title } : undefined;
          if (!target) break;
          const cur = emu.api.attachments(target.pageId).find((a) => a.title === target.name);
          if (cur) superseded.add(tokenOf(cur.data.toString('utf8')));
          const t = token();
          written.add(t);
          emu.api.addAttachment(target.pageId, target.name, `${t}\n`);
          log.push(`remote write ${target.name} on ${target.pageId} = ${t}`);
          break;
        }
        case 'rdelete': {
          const r = remote.length ? remote[op.i % remote.length]! : undefined;
          if (!r) break;
          superseded.add(tokenOf(r.a.data.toString('utf8')));
          emu.api.deleteAttachment(r.a.id);
          log.push(`remote delete ${r.a.title} on ${r.a.pageId}`);
          break;
        }
        default:
          log.push(`${op.k} (${op.fault.kind}): ${await attempt(op.k, op.fault)}`);
      }
    }
    let fin = await attempt('sync', { kind: 'none' });
    if (fin !== 'ok') fin += `; with --force: ${await bounded('push', () => runPush({ ...common, force: true })).then(() => 'ok')}`;
    log.push(`final sync: ${fin}`);

    // (4), (5)
    assert.deepEqual(gateViolations, [], 'invariant 4: a safety gate was bypassed without --force');
    assert.deepEqual(stepViolations, [], 'invariant 5: a run did not terminate within its request budget');
    // (1) converged
    const records = attachmentRecords();
    const conflicted = new Map(records.filter((r) => r.status === 'conflict').map((r) => [r.path, r]));
    const remoteNow = remoteAll();
    for (const { a, pi } of remoteNow) {
      const rel = `${dirs[pi]}/${a.title}`;
      const conflict = conflicted.get(rel);
      if (conflict) {
        assert.ok(conflict.copyPath && existsSync(abs(conflict.copyPath)), `invariant 1: conflict on ${rel} without its copy`);
        continue;
      }
      assert.ok(existsSync(abs(rel)), `invariant 1: remote attachment ${a.title} on page ${pages[pi]!.title} has no file after the final sync`);
      assert.equal(readFileSync(abs(rel), 'utf8'), a.data.toString('utf8'), `invariant 1: ${rel} differs from its attachment after the final sync`);
    }
    for (const rel of localFiles()) {
      const pi = dirs.findIndex((d) => rel.startsWith(`${d}/`));
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      assert.ok(conflicted.has(rel) || emu.api.attachments(pages[pi]!.id).some((a) => a.title === name), `invariant 1: ${rel} was not uploaded by the final sync`);
    }
    const at = emu.requestLog().length;
    const snapshot = JSON.stringify([localFiles().map((f) => [f, readFileSync(abs(f), 'utf8')]), copies()]);
    assert.equal(await attempt('sync', { kind: 'none' }), 'ok');
    assert.deepEqual(emu.requestLog().slice(at).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.route}`), [], 'invariant 1: one more sync still writes to Confluence');
    assert.equal(JSON.stringify([localFiles().map((f) => [f, readFileSync(abs(f), 'utf8')]), copies()]), snapshot, 'invariant 1: one more sync still changes files');
    // (2) no edit lost
    const present = new Set<string>();
    for (const f of [...localFiles(), ...copies()]) present.add(tokenOf(readFileSync(abs(f), 'utf8')));
    for (const { a } of remoteNow) present.add(tokenOf(a.data.toString('utf8')));
    const lost = [...written].filter((t) => !superseded.has(t) && !present.has(t));
    assert.deepEqual(lost, [], 'invariant 2: tokens lost');
    // (3) no duplicate upload
    for (const p of pages) {
      const names = emu.api.attachments(p.id).map((a) => a.title);
      assert.equal(new Set(names).size, names.length, `invariant 3: a name twice on page ${p.title}`);
      for (const a of emu.api.attachments(p.id)) {
        const versions = [...(a.previous ?? []).map((v) => v.data.toString('utf8')), a.data.toString('utf8')];
        for (let v = 1; v < versions.length; v++) assert.notEqual(versions[v], versions[v - 1], `invariant 3: ${a.title} has two consecutive versions with the same bytes (a duplicate upload)`);
      }
    }
  } catch (err) {
    (err as Error).message += `\n  case log:\n    ${log.join('\n    ')}`;
    throw err;
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

announce('attachments.property', seeds);
test(`randomized attachment sync against the real engine and the emulator: ${seeds.map((x) => `${x.cases} cases of ${x.kind} seed ${x.seed}`).join(' + ')}, 5 invariants`, { timeout: SOAK ? Infinity : 900_000 }, async () => {
  const failed: string[] = [];
  for (const s of seeds) {
    await checkSeed(
      'CSYNC_ATT',
      'attachments.property',
      s,
      fc.asyncProperty(caseArb, async (c) => {
        const emu = await startEmulator({ seed: 'empty' });
        emu.faults.set({ stallMs: 400 });
        const client = createClient(emu);
        try {
          await runCase(emu, client, c);
        } finally {
          await client.close();
          await emu.close();
        }
      }),
    ).catch((err: unknown) => failed.push(err instanceof Error ? err.message : String(err)));
  }
  if (failed.length) throw new Error(failed.join('\n\n'));
});

/**
 * A dry run prints what the real run then does, for push and for pull.
 *
 * push: for random local changes to a synced workspace, the real push plans the dry run's lines, warnings and counts,
 * and sends exactly the requests those lines mean (a PUT for each update, rename and move, a POST for each create, a
 * DELETE for each delete, label requests only for pages in the plan).
 *
 * pull: for random remote changes (edits, renames, moves, labels, deletes, new pages) and local ones (edits, deletes,
 * moves, new files where pages arrive, files left aside by a stopped pull), the real pull (planned from the state
 * database) plans the dry run's lines (planned in memory) and warnings; on disk it does exactly what those lines mean
 * (each file written, moved, relabelled, trashed, or kept with one conflict copy) and touches no other file; neither
 * run sends a write to Confluence, and the dry run writes nothing.
 *
 * Real engine, real SQLite, real files, the emulator over HTTP. Each property runs a fixed seed (the same cases every
 * time) and a fresh seed (new cases every run), both printed, and prints the replay command on failure.
 * CSYNC_DRYRUN_CASES sets the number of cases per seed (default 6 for push, 20 for pull; 60 and 100 under CSYNC_SOAK);
 * CSYNC_DRYRUN_SEED replays one seed (twice that many cases; CSYNC_DRYRUN_PATH with CSYNC_DRYRUN_PROPERTY one case of
 * it, as the failure prints).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runPull } from '../../src/engine/pull.js';
import { runPush, type PushSummary } from '../../src/engine/push.js';
import { parseFile } from '../../src/format/front-matter.js';
import { getFormat } from '../../src/format/index.js';
import type { PlanLine } from '../../src/engine/types.js';
import { silentLogger } from '../../src/obs/logger.js';
import { createConfluenceClient, type ConfluenceClient } from '../../src/remote/index.js';
import { listFiles } from '../helpers/files.js';
import { assertSeededAsync } from '../helpers/seeds.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_DRYRUN_CASES ?? (SOAK ? 60 : 6));
const FIXED_SEED = 20261203;

type Op =
  | { k: 'edit' | 'idOnly' | 'touch' | 'delete' | 'label'; i: number }
  | { k: 'retitle'; i: number; to: number }
  | { k: 'move'; i: number; under: number }
  | { k: 'create'; under: number; name: number };

const TITLES = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'];
const NAMES = ['Fresh', 'Alpha', 'Zeta', 'Eta'];
// i and under index the pages by path order; under = -1 is a folder that belongs to no page.
const page = fc.nat(7);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constantFrom('edit' as const, 'idOnly' as const, 'touch' as const, 'delete' as const, 'label' as const), i: page }),
  fc.record({ k: fc.constant('retitle' as const), i: page, to: fc.nat(TITLES.length) }),
  fc.record({ k: fc.constant('move' as const), i: page, under: fc.integer({ min: -1, max: 7 }) }),
  fc.record({ k: fc.constant('create' as const), under: fc.integer({ min: -1, max: 7 }), name: fc.nat(NAMES.length - 1) }),
);
const caseArb = fc.array(opArb, { minLength: 1, maxLength: 6 });

let emu: Emulator;
let client: ConfluenceClient;
let n = 0;
before(async () => {
  emu = await startEmulator({ seed: 'empty' });
  client = createConfluenceClient({
    baseUrl: emu.url,
    auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
    rate: { requestsPerSecond: 100_000, burst: 100_000, maxConcurrent: 8 },
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    timeouts: { connectMs: 2000, responseMs: 5000 },
    breaker: { failureThreshold: 1_000_000, halfOpenAfterMs: 1 },
  });
});
after(async () => {
  await client.close();
  await emu.close();
});

/** Page writes as "PUT id", "POST", "DELETE id", and the ids whose labels were written. */
function pageWrites(e: Emulator): { pages: string[]; labelled: Set<string> } {
  const pages: string[] = [];
  const labelled = new Set<string>();
  for (const r of e.requestLog()) {
    if (r.method === 'GET') continue;
    const label = /\/content\/(\d+)\/label/.exec(r.path);
    if (label) labelled.add(label[1]!);
    else if (/\/api\/v2\/pages(\/|$|\?)/.test(r.path)) {
      const id = /\/pages\/(\d+)/.exec(r.path)?.[1];
      pages.push(r.method === 'POST' ? 'POST' : `${r.method} ${id}`);
    }
  }
  return { pages: pages.sort(), labelled };
}

async function runCase(ops: Op[]): Promise<void> {
  const key = `DRY${++n}`;
  emu.api.createSpace(key);
  const home = emu.api.createPage(key, 'Home', '<p>home</p>', null);
  const a = emu.api.createPage(key, 'Alpha', '<p>alpha</p>', home.id);
  const b = emu.api.createPage(key, 'Beta', '<p>beta</p>', home.id);
  emu.api.createPage(key, 'Gamma', '<p>gamma</p>', b.id);
  const d = emu.api.createPage(key, 'Delta', '<p>delta</p>', b.id);
  emu.api.createPage(key, 'Epsilon', '<p>epsilon</p>', d.id);
  void a;
  const ws = mkdtempSync(join(tmpdir(), 'csync-dryrun-'));
  const log: string[] = [];
  try {
    const common = { workspace: ws, api: client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 100 }, force: true, concurrency: 4, logger: silentLogger() };
    await runPull({ ...common, dryRun: false });
    const pagesNow = () => listFiles(join(ws, 'content', key)).map((p) => p.slice(ws.length + 1)).sort();
    for (const op of ops) {
      const files = pagesNow();
      if (files.length === 0) break;
      const f = (i: number) => files[i % files.length]!;
      const abs = (p: string) => join(ws, p);
      const folderOf = (under: number) => (under < 0 ? `content/${key}/Home/Nowhere` : f(under).slice(0, -'.md'.length));
      const text = (p: string) => readFileSync(abs(p), 'utf8');
      switch (op.k) {
        case 'edit':
          writeFileSync(abs(f(op.i)), `${text(f(op.i))}\nedited ${log.length}\n`);
          break;
        case 'idOnly':
          writeFileSync(abs(f(op.i)), text(f(op.i)).replace(/^id: *['"]?(\d+)['"]?$/m, "id: '$1'"));
          break;
        case 'touch':
          writeFileSync(abs(f(op.i)), text(f(op.i)));
          break;
        case 'delete':
          unlinkSync(abs(f(op.i)));
          break;
        case 'label': {
          const t = text(f(op.i));
          writeFileSync(abs(f(op.i)), /^labels:/m.test(t) ? t.replace(/^labels:.*(\n {2}- .*)*/m, 'labels: []') : t.replace(/^title: (.*)$/m, 'title: $1\nlabels:\n  - tagged'));
          break;
        }
        case 'retitle':
          writeFileSync(abs(f(op.i)), text(f(op.i)).replace(/^title: .*$/m, `title: ${TITLES[op.to] ?? `Renamed ${log.length}`}`));
          break;
        case 'move': {
          const to = `${folderOf(op.under)}/${f(op.i).slice(f(op.i).lastIndexOf('/') + 1)}`;
          if (to === f(op.i) || pagesNow().includes(to)) break;
          mkdirSync(dirname(abs(to)), { recursive: true });
          renameSync(abs(f(op.i)), abs(to));
          break;
        }
        case 'create': {
          const to = `${folderOf(op.under)}/${NAMES[op.name]} ${log.length}.md`;
          mkdirSync(dirname(abs(to)), { recursive: true });
          writeFileSync(abs(to), `new page ${log.length}\n`);
          break;
        }
      }
      log.push(JSON.stringify(op));
    }
    const dry = await runPush({ ...common, dryRun: true });
    // The front matter of each page file as the push reads it (a rename then moves the file).
    const metaBefore = new Map(pagesNow().map((p) => [p, parseFile(readFileSync(join(ws, p), 'utf8')).meta]));
    const pagesBefore = new Map(emu.api.pages(key).map((p) => [p.id, { title: p.title, parentId: p.parentId, version: p.version.number, status: p.status, labels: [...p.labels].sort() }]));
    emu.resetLog();
    const real = await runPush({ ...common, dryRun: false });
    const context = `ops:\n  ${log.join('\n  ')}\ndry plan: ${JSON.stringify(dry.plan)}\nreal plan: ${JSON.stringify(real.plan)}\nwarnings: ${JSON.stringify(real.warnings)}`;
    const pagesOnly = (s: PushSummary) => s.plan.filter((l) => !l.path.startsWith('attachments/'));
    assert.deepEqual(pagesOnly(real), pagesOnly(dry), `the real run plans what the dry run printed\n${context}`);
    assert.deepEqual([...real.warnings].sort(), [...dry.warnings].sort(), `the same warnings\n${context}`);
    const { relocated: _r, ...realCounts } = real.pages;
    const { relocated: _d, ...dryCounts } = dry.pages;
    assert.deepEqual(realCounts, dryCounts, `the same counts\n${context}`);
    // The requests the plan means, and no other.
    const expected: string[] = [];
    for (const l of pagesOnly(dry)) {
      if (l.action === 'update' || l.action === 'rename' || l.action === 'move') expected.push(`PUT ${l.id}`);
      else if (l.action === 'create') expected.push('POST');
      else if (l.action === 'delete') expected.push(`DELETE ${l.id}`);
    }
    const done = pageWrites(emu);
    assert.deepEqual(done.pages, expected.sort(), `page requests = the plan\n${context}`);
    const planned = new Set(pagesOnly(dry).map((l) => l.id));
    const createdIds = new Set(real.written.map((w) => w.id));
    for (const id of done.labelled) assert.ok(planned.has(id) || createdIds.has(id), `labels written for page ${id}, which the plan does not list\n${context}`);
    for (const l of pagesOnly(dry).filter((x) => x.action === 'labels')) assert.ok(done.labelled.has(l.id), `the labels of ${l.path} were planned but not written\n${context}`);
    // In Confluence: each page the plan names changed as its line says, by one version for each PUT; no other page
    // changed; one new page for each create.
    const fileAt = (p: string) => metaBefore.get(p) ?? {};
    const linesOf = new Map<string, PlanLine[]>();
    for (const l of pagesOnly(dry)) linesOf.set(l.id, [...(linesOf.get(l.id) ?? []), l]);
    for (const p of emu.api.pages(key)) {
      const was = pagesBefore.get(p.id);
      const now = { title: p.title, parentId: p.parentId, version: p.version.number, status: p.status, labels: [...p.labels].sort() };
      if (!was) {
        assert.ok(createdIds.has(p.id), `page ${p.id} (${p.title}) is new but no create made it\n${context}`);
        continue;
      }
      const lines = linesOf.get(p.id) ?? [];
      const puts = lines.filter((l) => l.action === 'update' || l.action === 'rename' || l.action === 'move').length;
      if (lines.length === 0) {
        assert.deepEqual(now, was, `page ${p.id} (${p.title}) changed, but no plan line names it\n${context}`);
        continue;
      }
      assert.equal(now.version, was.version + puts, `page ${p.id}: one version for each PUT the plan means\n${context}`);
      for (const l of lines) {
        if (l.action === 'delete') assert.notEqual(now.status, 'current', `${l.path}: deleted in Confluence\n${context}`);
        if (l.action === 'rename') assert.equal(now.title, fileAt(l.path).title, `${l.path}: renamed in Confluence\n${context}`);
        if (l.action === 'move') assert.notEqual(now.parentId, was.parentId, `${l.path}: moved in Confluence\n${context}`);
        if (l.action === 'labels') assert.deepEqual(now.labels, [...(fileAt(l.path).labels ?? [])].sort(), `${l.path}: its labels in Confluence\n${context}`);
      }
      if (!lines.some((l) => l.action === 'move')) assert.equal(now.parentId, was.parentId, `page ${p.id}: not moved\n${context}`);
      if (!lines.some((l) => l.action === 'delete')) assert.equal(now.status, was.status, `page ${p.id}: not deleted\n${context}`);
    }
    const after = new Set(emu.api.pages(key).map((p) => p.id));
    for (const id of pagesBefore.keys()) if (!after.has(id)) assert.ok(linesOf.get(id)?.some((l) => l.action === 'delete'), `page ${id} is gone, but no delete names it\n${context}`);
    assert.equal(emu.api.pages(key).filter((p) => !pagesBefore.has(p.id)).length, pagesOnly(dry).filter((l) => l.action === 'create').length, `one new page for each create\n${context}`);
    // Files that are pages all parse (nothing half-written).
    for (const p of pagesNow()) assert.ok(parseFile(readFileSync(join(ws, p), 'utf8')).ok);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

const CASES_RUN = { seed: FIXED_SEED, runs: 2 * CASES, fresh: CASES, shrink: false };
test(`push: the real run does what its dry run printed (fixed seed ${FIXED_SEED} and a fresh one, printed)`, { timeout: 1_200_000 }, () =>
  assertSeededAsync('CSYNC_DRYRUN', 'dry-run.property', 'push', CASES_RUN, fc.asyncProperty(caseArb, (ops) => runCase(ops))),
);

// pull (see the file's comment). Ops index the live pages (remote) or files (local) in order; under = -1 is Home.
type PullOp =
  | { k: 'rEdit'; i: number; top: boolean }
  | { k: 'rRetitle'; i: number; name: number }
  | { k: 'rMove'; i: number; under: number }
  | { k: 'occupy'; i: number; under: number; name: number }
  | { k: 'rLabel' | 'rDelete'; i: number }
  | { k: 'rCreate' | 'lCreate' | 'clash'; under: number; name: number }
  | { k: 'lEdit'; i: number; append: boolean }
  | { k: 'lDelete' | 'lAside'; i: number }
  | { k: 'lMove'; i: number; under: number };

// Few names, so that new pages, renames and new local files meet at the same paths. Gamma is an existing title: a
// page renamed to the title of a page kept off its new path (occupy) has that page's old path as its own (it found
// two pages planned at one file, core/plan.ts avoidOccupied; see also test/engine/pull-occupied.test.ts).
const PULL_NAMES = ['Fresh', 'Zeta', 'Gamma', 'Eta'];
const under = fc.integer({ min: -1, max: 7 });
const name = fc.nat(PULL_NAMES.length - 1);
const pullOpArb: fc.Arbitrary<PullOp> = fc.oneof(
  fc.record({ k: fc.constant('rEdit' as const), i: page, top: fc.boolean() }),
  fc.record({ k: fc.constant('rRetitle' as const), i: page, name }),
  fc.record({ k: fc.constant('rMove' as const), i: page, under }),
  fc.record({ k: fc.constant('occupy' as const), i: page, under, name }),
  fc.record({ k: fc.constantFrom('rLabel' as const, 'rDelete' as const), i: page }),
  fc.record({ k: fc.constantFrom('rCreate' as const, 'lCreate' as const, 'clash' as const), under, name }),
  fc.record({ k: fc.constant('lEdit' as const), i: page, append: fc.boolean() }),
  fc.record({ k: fc.constantFrom('lDelete' as const, 'lAside' as const), i: page }),
  fc.record({ k: fc.constant('lMove' as const), i: page, under }),
);
const pullCaseArb = fc.array(pullOpArb, { minLength: 1, maxLength: 8 });

type Tree = Map<string, string>;
/** Every file below content/ and cache/ (state.db included) with its bytes, by workspace path. */
function tree(ws: string): Tree {
  const out: Tree = new Map();
  for (const sub of ['content', 'cache']) for (const f of listFiles(join(ws, sub))) out.set(f.slice(ws.length + 1).split('\\').join('/'), readFileSync(f, 'latin1'));
  return out;
}
const idIn = (text: string | undefined) => (text === undefined ? undefined : parseFile(Buffer.from(text, 'latin1').toString('utf8')).meta.id);
const isCopyOf = (copy: string, path: string) => copy.startsWith(`${path.slice(0, -'.md'.length)}.conflict-`);

async function runPullCase(ops: PullOp[]): Promise<void> {
  const key = `PULL${++n}`;
  const api = emu.api;
  api.createSpace(key);
  const home = api.createPage(key, 'Home', '<p>home</p>', null);
  const a = api.createPage(key, 'Alpha', '<p>alpha</p><p>second</p>', home.id);
  api.setLabels(a.id, ['kept']);
  const b = api.createPage(key, 'Beta', '<p>beta</p><p>second</p>', home.id);
  api.createPage(key, 'Gamma', '<p>gamma</p>', b.id);
  const d = api.createPage(key, 'Delta', '<p>delta</p><p>second</p>', b.id);
  api.createPage(key, 'Epsilon', '<p>epsilon</p>', d.id);
  const ws = mkdtempSync(join(tmpdir(), 'csync-pulldry-'));
  const log: string[] = [];
  try {
    const common = { workspace: ws, api: client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 100 }, force: true, concurrency: 4, logger: silentLogger() };
    await runPull({ ...common, dryRun: false });
    // Where each page's file was after the first pull (folders for new pages and files are taken from here).
    const pathOf = new Map<string, string>();
    for (const f of listFiles(join(ws, 'content', key))) pathOf.set(String(parseFile(readFileSync(f, 'utf8')).meta.id), f.slice(ws.length + 1));
    const abs = (p: string) => join(ws, p);
    // A path is taken by a file, or by a page whose file is aside in cache/moving/ (lAside). Not generated: a new local
    // file at the path of a page whose file is aside. That page is skipped on purpose (both files kept, a warning every
    // run until the user picks: scan.ts settleAside, test/engine/moved-aside.test.ts), and this property expects runs
    // that skip nothing. Found here first: seed 1101323146, path "24:2:14:12:12" (the copy was kept aside silently).
    const taken = (p: string) => existsSync(abs(p)) || [...pathOf].some(([id, q]) => q === p && existsSync(join(ws, 'cache', 'moving', `${id}.md`)));
    const remoteMarker = new Map<string, string>();
    for (const op of ops) {
      const live = api.pages(key).filter((p) => p.status === 'current' && p.id !== home.id).sort((x, y) => Number(x.id) - Number(y.id));
      const files = listFiles(join(ws, 'content', key)).map((p) => p.slice(ws.length + 1)).filter((p) => !p.includes('.conflict-'));
      const rp = (i: number) => live[i % Math.max(1, live.length)];
      const lf = (i: number) => files[i % Math.max(1, files.length)];
      const parentOf = (u: number) => (u < 0 ? home : (rp(u) ?? home));
      const folderOf = (u: number) => (pathOf.get(parentOf(u).id) ?? `content/${key}/Home.md`).slice(0, -'.md'.length);
      let done = true;
      try {
        switch (op.k) {
          case 'rEdit': {
            const p = rp(op.i);
            if (!p) break;
            const marker = `remote ${log.length}`;
            api.editPage(p.id, { body: op.top ? `<p>${marker}</p>${api.body(p.id)}` : `<p>${marker}</p>` });
            remoteMarker.set(p.id, marker);
            break;
          }
          case 'rRetitle':
            if (rp(op.i)) api.renamePage(rp(op.i)!.id, PULL_NAMES[op.name]!);
            break;
          case 'rMove':
            if (rp(op.i)) api.movePage(rp(op.i)!.id, parentOf(op.under).id);
            break;
          case 'occupy': {
            // Moved and renamed in Confluence to where a new local file (no page tracks it) now is.
            const p = rp(op.i);
            if (!p) break;
            const title = PULL_NAMES[op.name]!;
            const to = `${folderOf(op.under)}/${title}.md`;
            if (taken(to)) throw new Error('taken');
            api.editPage(p.id, { title, parentId: parentOf(op.under).id });
            mkdirSync(dirname(abs(to)), { recursive: true });
            writeFileSync(abs(to), `in the way ${log.length}\n`);
            break;
          }
          case 'rLabel':
            if (rp(op.i)) api.setLabels(rp(op.i)!.id, rp(op.i)!.labels.length ? [] : ['tagged']);
            break;
          case 'rDelete':
            if (rp(op.i)) api.deletePage(rp(op.i)!.id);
            break;
          case 'rCreate':
          case 'lCreate':
          case 'clash': {
            const title = PULL_NAMES[op.name]!;
            if (op.k !== 'lCreate') api.createPage(key, title, `<p>new ${log.length}</p>`, parentOf(op.under).id);
            if (op.k !== 'rCreate') {
              const to = `${folderOf(op.under)}/${title}.md`;
              if (taken(to)) throw new Error('taken');
              mkdirSync(dirname(abs(to)), { recursive: true });
              writeFileSync(abs(to), `my own ${title} ${log.length}\n`);
            }
            break;
          }
          case 'lEdit': {
            const f = lf(op.i);
            if (!f) break;
            const t = readFileSync(abs(f), 'utf8');
            writeFileSync(abs(f), op.append ? `${t}\nlocal ${log.length}\n` : t.replace(/\n---\n[\s\S]*$/, `\n---\nlocal ${log.length}\n`));
            break;
          }
          case 'lDelete':
            if (lf(op.i)) unlinkSync(abs(lf(op.i)!));
            break;
          case 'lAside': {
            // Left aside by a pull that stopped before recording it (pull/execute.ts, phase 1).
            const f = lf(op.i);
            const id = f && idIn(readFileSync(abs(f), 'latin1'));
            if (!id) throw new Error('no page');
            mkdirSync(join(ws, 'cache', 'moving'), { recursive: true });
            renameSync(abs(f), join(ws, 'cache', 'moving', `${id}.md`));
            break;
          }
          case 'lMove': {
            const f = lf(op.i);
            if (!f) break;
            const to = `${folderOf(op.under)}/${f.slice(f.lastIndexOf('/') + 1)}`;
            if (to === f || taken(to) || to.startsWith(`${f.slice(0, -'.md'.length)}/`)) throw new Error('taken');
            mkdirSync(dirname(abs(to)), { recursive: true });
            renameSync(abs(f), abs(to));
            break;
          }
        }
      } catch {
        // A title taken, a cycle, a path taken: the op does nothing.
        done = false;
      }
      log.push(`${JSON.stringify(op)}${done ? '' : ' (did nothing)'}`);
    }

    const before = tree(ws);
    emu.resetLog();
    const dry = await runPull({ ...common, dryRun: true });
    const context = () => `ops:\n  ${log.join('\n  ')}\ndry plan: ${JSON.stringify(dry.plan)}`;
    assert.deepEqual(emu.requestLog().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`), [], `a dry run sends nothing\n${context()}`);
    // Not even the WAL's side files (-wal, -shm) are left behind.
    const dryAfter = tree(ws);
    assert.deepEqual([...dryAfter.keys()], [...before.keys()], `a dry run writes no file\n${context()}`);
    for (const [p, t] of dryAfter) assert.ok(before.get(p) === t, `a dry run changes no file (${p})\n${context()}`);

    emu.resetLog();
    const real = await runPull({ ...common, dryRun: false });
    const after = tree(ws);
    const ctx = () => `${context()}\nreal plan: ${JSON.stringify(real.plan)}\nreal pages: ${JSON.stringify(real.pages)}\nconflicts: ${JSON.stringify(real.conflicts)}\nwarnings: ${JSON.stringify(real.warnings)}`;
    const lineKey = (l: PlanLine) => JSON.stringify([l.id, l.action, l.path, l.from ?? null]);
    assert.deepEqual(real.plan.map(lineKey).sort(), dry.plan.map(lineKey).sort(), `the real run plans what the dry run printed\n${ctx()}`);
    assert.deepEqual([...real.warnings].sort(), [...dry.warnings].sort(), `the same warnings\n${ctx()}`);
    assert.deepEqual(real.skipped, [], `nothing skipped\n${ctx()}`);
    assert.deepEqual(emu.requestLog().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`), [], `a pull sends nothing\n${ctx()}`);

    // What the real run did, file by file: exactly what each plan line means.
    const count = (action: string) => dry.plan.filter((l) => l.action === action).length;
    const movedBy = (action: string) => dry.plan.filter((l) => l.action === action && l.from !== undefined && l.from !== l.path).length;
    const created = [...after.keys()].filter((p) => !before.has(p));
    const copies = created.filter((p) => p.includes('.conflict-'));
    const trashed = created.filter((p) => p.startsWith('cache/trash/'));
    const gone = (p: string, id: string) => idIn(after.get(p)) !== id;
    // A page's file before the run: at its path, or aside in cache/moving/ (put back by the real run first).
    const was = (p: string, id: string) => before.get(p) ?? before.get(`cache/moving/${id}.md`);
    const explained = new Set<string>();
    let bothWithCopy = 0;
    let clashIdentical = 0;
    for (const l of dry.plan) {
      const at = after.get(l.path);
      const what = `${l.action} ${l.from ? `${l.from} → ` : ''}${l.path}`;
      explained.add(l.path);
      if (l.from) explained.add(l.from);
      const moved = l.from !== undefined && l.from !== l.path;
      if (moved) assert.ok(gone(l.from!, l.id), `${what}: the file left ${l.from}\n${ctx()}`);
      const copy = copies.find((c) => isCopyOf(c, l.path));
      if (copy) explained.add(copy);
      switch (l.action) {
        case 'new':
        case 'update': {
          assert.equal(idIn(at), l.id, `${what}: the page's file is there\n${ctx()}`);
          const text = Buffer.from(at!, 'latin1').toString('utf8');
          assert.equal(parseFile(text).meta.title, api.page(l.id).title, `${what}: with the page's title\n${ctx()}`);
          const marker = remoteMarker.get(l.id);
          if (marker) assert.ok(text.includes(marker), `${what}: with the remote edit (${marker})\n${ctx()}`);
          if (l.action === 'new') assert.ok(!before.has(l.path), `${what}: the new page's path was free\n${ctx()}`);
          break;
        }
        case 'move':
          assert.equal(at, was(l.from!, l.id), `${what}: the file moved as it was\n${ctx()}`);
          break;
        case 'relabel': {
          const text = Buffer.from(at ?? '', 'latin1').toString('utf8');
          assert.deepEqual([...(parseFile(text).meta.labels ?? [])].sort(), [...api.page(l.id).labels].sort(), `${what}: the remote labels\n${ctx()}`);
          const old = was(l.from ?? l.path, l.id);
          assert.equal(parseFile(text).body, parseFile(Buffer.from(old ?? '', 'latin1').toString('utf8')).body, `${what}: the text is unchanged\n${ctx()}`);
          break;
        }
        case 'both-changed': {
          // (A file the user put at the page's path without front matter is the page's file edited: it moves as it is
          // when the remote side only renamed or moved the page.)
          const local = was(l.from ?? l.path, l.id);
          assert.ok(idIn(at) === l.id || (at !== undefined && local !== undefined && idIn(local) === undefined), `${what}: the page's file is at its path\n${ctx()}`);
          if (copy) {
            bothWithCopy++;
            assert.equal(at, was(l.from ?? l.path, l.id), `${what}: the local file is kept as it was\n${ctx()}`);
            assert.equal(idIn(after.get(copy)), l.id, `${what}: the remote version is in ${copy}\n${ctx()}`);
          } else {
            const marker = remoteMarker.get(l.id);
            if (marker) assert.ok(Buffer.from(at!, 'latin1').toString('utf8').includes(marker), `${what}: no copy, so the remote edit is in the file (${marker})\n${ctx()}`);
          }
          break;
        }
        case 'untracked-clash':
          assert.equal(at, before.get(l.path), `${what}: the local file is kept\n${ctx()}`);
          if (copy) assert.equal(idIn(after.get(copy)), l.id, `${what}: the remote page is in ${copy}\n${ctx()}`);
          else clashIdentical++;
          break;
        case 'trash': {
          assert.ok(gone(l.path, l.id), `${what}: the file is gone\n${ctx()}`);
          const old = was(l.path, l.id);
          if (old !== undefined) {
            const kept = trashed.find((t) => t.endsWith(`/${l.path}`) && after.get(t) === old);
            assert.ok(kept, `${what}: the file is in cache/trash\n${ctx()}`);
            explained.add(kept);
          }
          break;
        }
        case 'deleted-remote-modified-local':
          assert.equal(at, was(l.path, l.id), `${what}: the local file is kept\n${ctx()}`);
          break;
        default:
          assert.fail(`unknown plan action ${l.action}\n${ctx()}`);
      }
    }
    // Files left aside are put back where their page's record says, whether or not the plan names them.
    for (const [p, t] of before) {
      if (!p.startsWith('cache/moving/')) continue;
      const back = [...after].find(([q, u]) => q.startsWith('content/') && u === t && !before.has(q));
      if (back) explained.add(back[0]);
      explained.add(p);
    }
    // No other file of content/ or cache/ (but the state) was written, moved or removed.
    const touched = new Set([...before.keys(), ...after.keys()].filter((p) => !p.startsWith('cache/state.db') && before.get(p) !== after.get(p)));
    for (const p of touched) assert.ok(explained.has(p), `${p} changed, but no plan line names it\n${ctx()}`);
    assert.deepEqual([...after.keys()].filter((p) => p.startsWith('cache/moving/')), [], `nothing left aside\n${ctx()}`);

    // The counts: the dry run's are its plan's; the real run's are what it did.
    const conflictLines = count('both-changed') + count('untracked-clash') + count('deleted-remote-modified-local');
    assert.deepEqual(
      [dry.pages.new, dry.pages.updated, dry.pages.moved, dry.pages.relabelled, dry.pages.deleted, dry.pages.conflicted],
      [count('new'), count('update'), count('move') + movedBy('update'), count('relabel'), count('trash'), conflictLines],
      `the dry run counts its plan\n${ctx()}`,
    );
    assert.equal(real.pages.new, dry.pages.new + clashIdentical, `new pages\n${ctx()}`);
    assert.equal(real.pages.deleted, dry.pages.deleted, `deleted pages\n${ctx()}`);
    assert.equal(real.pages.relabelled, dry.pages.relabelled, `relabelled pages\n${ctx()}`);
    assert.equal(real.pages.unchanged, dry.pages.unchanged, `unchanged pages\n${ctx()}`);
    assert.equal(real.pages.conflicted, conflictLines - (count('both-changed') - bothWithCopy) - clashIdentical, `conflicts: the plan's, less those settled without a copy\n${ctx()}`);
    assert.deepEqual(real.conflicts.map((c) => c.path).sort(), dry.plan.filter((l) => (l.action === 'both-changed' && copies.some((c) => isCopyOf(c, l.path))) || (l.action === 'untracked-clash' && copies.some((c) => isCopyOf(c, l.path))) || l.action === 'deleted-remote-modified-local').map((l) => l.path).sort(), `conflicts reported = conflicts on disk\n${ctx()}`);
    // Both-changed pages without a copy were merged, found identical, or took the remote text.
    const settled = real.pages.merged + real.pages.falseConflicts + (real.pages.updated - dry.pages.updated);
    assert.ok(real.pages.updated >= dry.pages.updated && settled <= count('both-changed') - bothWithCopy, `updates: the plan's, plus both-changed pages settled without a copy\n${ctx()}`);
    // A download to a new path counts as updated and as moved (in both runs); a both-changed page whose remote side
    // only renamed or moved it counts as moved in the real run (the dry run cannot know: it counts a conflict).
    const movedMore = real.pages.moved - dry.pages.moved;
    assert.ok(movedMore >= 0 && movedMore <= movedBy('both-changed'), `moves: the plan's moves and downloads to a new path\n${ctx()}`);
    assert.equal(copies.length, bothWithCopy + count('untracked-clash') - clashIdentical, `one copy per conflict, no other\n${ctx()}`);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

const PULL_CASES = Number(process.env.CSYNC_DRYRUN_CASES ?? (SOAK ? 100 : 20));
test(`pull: the real run does what its dry run printed, on disk and in Confluence (fixed seed ${FIXED_SEED} and a fresh one, printed)`, { timeout: 1_200_000 }, () =>
  assertSeededAsync('CSYNC_DRYRUN', 'dry-run.property', 'pull', { seed: FIXED_SEED, runs: 2 * PULL_CASES, fresh: PULL_CASES, shrink: true }, fc.asyncProperty(pullCaseArb, (ops) => runPullCase(ops))),
);

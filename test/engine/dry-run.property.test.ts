/**
 * For random local changes to a synced workspace, the actions a real push performs equal its dry-run plan: the same
 * plan lines, the same warnings, the same counts, and exactly the requests those lines mean (a PUT for each update,
 * rename and move, a POST for each create, a DELETE for each delete, label requests only for pages in the plan).
 * Real engine, real SQLite, real files, the emulator over HTTP.
 *
 * Two runs: a fixed seed (the same cases every time) and a fresh seed (new cases every run). The seed and the replay
 * command are printed. CSYNC_DRYRUN_CASES sets the number of cases per run (default 6; 60 under CSYNC_SOAK);
 * CSYNC_DRYRUN_SEED replays one seed (twice that many cases; CSYNC_DRYRUN_PATH one case of it, as the failure prints).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runPull } from '../../src/engine/pull.js';
import { runPush, type PushSummary } from '../../src/engine/push.js';
import { parseFile } from '../../src/format/front-matter.js';
import { getFormat } from '../../src/format/index.js';
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

/**
 * `csync compare` end to end through the real CLI: two emulators (two sites, each with its own credentials) seeded
 * with known differences — a page added, one removed, a paragraph changed, one renamed, one moved — and compare
 * finds exactly those, as text, JSON and HTML; a workspace and export bundles (JSON folder, Markdown zip) against a
 * site; and the errors a user can make.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { fileOf, workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

interface PageOut {
  id: string | null;
  title: string;
  path: string;
}
interface Report {
  matchedBy: string;
  equal: boolean;
  onlyInA: PageOut[];
  onlyInB: PageOut[];
  changed: Array<{ a: PageOut; b: PageOut; diff: string }>;
  moved: Array<{ a: PageOut; b: PageOut; diff: string }>;
  unchanged: number;
}

const STAGING_TOKEN = 'staging-only-token';

async function twoSites(): Promise<{ ws: TestWorkspace; staging: Emulator; env: Record<string, string> }> {
  const staging = await startEmulator({ credentials: { token: STAGING_TOKEN } });
  const ws = await workspaceWithEmulator({
    config: { sites: { prod: { url: '', email: 'x' }, staging: { url: staging.url, email: staging.credentials.email } } },
  });
  // prod is the workspace's own emulator, its token in a variable the entry names.
  const cfgFile = join(ws.dir, 'config', 'csync.json');
  const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as { sites: Record<string, Record<string, string>> };
  cfg.sites.prod = { url: ws.emu.url, email: ws.emu.credentials.email, tokenEnv: 'PROD_TOKEN' };
  writeFileSync(cfgFile, JSON.stringify(cfg));
  return { ws, staging, env: { PROD_TOKEN: ws.emu.credentials.token, STAGING_CONFLUENCE_API_TOKEN: STAGING_TOKEN } };
}

/** The known differences, made on the staging site. */
function seedDifferences(staging: Emulator): void {
  const s = staging.api.space('DEMO').id;
  const page = (title: string) => staging.api.pageByTitle('DEMO', title)!;
  staging.store.createPage({ spaceId: s, title: 'Rollback plan', parentId: page('Team handbook').id, body: '<p>Revert the tag, then redeploy.</p>' });
  staging.store.trashPage(page('2026-11-09 Retro'));
  const config = page('Configuration');
  staging.store.updatePage(config, { body: `${staging.store.bodyOf(config)}<p>Staging reads its settings from the vault.</p>` });
  staging.store.updatePage(page('Planner'), { title: 'Planner (v2)' });
  staging.store.updatePage(page('Rate limits'), { parentId: page('Sync engine').id });
}

const paths = (list: PageOut[]) => list.map((p) => p.path);
/** Pages in the emulator's demo space (the seed grows; the differences seeded below are what the tests count). */
const demoPages = async (): Promise<number> => {
  const emu = await startEmulator({});
  try {
    return emu.store.spacePageIds.get(emu.api.space('DEMO').id)?.length ?? 0;
  } finally {
    await emu.close();
  }
};
const DEMO = await demoPages();

test('compare two sites seeded with known differences finds exactly those (JSON, text, HTML)', async () => {
  const { ws, staging, env } = await twoSites();
  try {
    seedDifferences(staging);
    const r = await ws.csync(['compare', 'prod:DEMO', 'staging:DEMO', '--json'], env);
    assert.equal(r.code, 14, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.equal, false);
    assert.deepEqual(paths(report.onlyInA), ['Demo space home / Meeting notes / 2026-11-09 Retro']);
    assert.deepEqual(paths(report.onlyInB), ['Demo space home / Team handbook / Rollback plan']);
    assert.deepEqual(paths(report.changed.map((c) => c.a)), ['Demo space home / Getting started / Configuration']);
    const diff = report.changed[0]!.diff;
    assert.match(diff, /^\+Staging reads its settings from the vault\.$/m);
    assert.equal(diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l)).length, 2, `one paragraph (and its blank line) added:\n${diff}`);
    assert.deepEqual(
      report.moved.map((m) => [m.a.path, m.b.path, m.diff]),
      [
        ['Demo space home / Architecture / Rate limits', 'Demo space home / Architecture / Sync engine / Rate limits', ''],
        ['Demo space home / Architecture / Sync engine / Planner', 'Demo space home / Architecture / Sync engine / Planner (v2)', ''],
      ],
    );
    assert.equal(report.unchanged, DEMO - 1 - 1 - 2);

    const html = join(ws.dir, 'report.html');
    const t = await ws.csync(['compare', 'prod:DEMO', 'staging:DEMO', '--html', html], env);
    assert.equal(t.code, 14, t.stderr);
    assert.match(t.stdout, new RegExp(`^1 only in A, 1 only in B, 1 changed, 2 moved or renamed, ${DEMO - 4} the same$`, 'm'));
    assert.match(t.stdout, /^Only in A:\n {2}Demo space home \/ Meeting notes \/ 2026-11-09 Retro \[\d+\]$/m);
    assert.match(t.stdout, /^--- prod:DEMO: Demo space home \/ Getting started \/ Configuration\n\+\+\+ staging:DEMO: Demo space home \/ Getting started \/ Configuration$/m);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<h2 class="only-b">Only in B \(1\)<\/h2><ul><li>Demo space home \/ Team handbook \/ Rollback plan/);
    assert.match(page, /<span class="add">\+Staging reads its settings from the vault\.<\/span>/);
    assert.doesNotMatch(page, /<script|https?:\/\/(?!127\.0\.0\.1)/);
    for (const secret of [STAGING_TOKEN, ws.emu.credentials.token]) assert.ok(!(t.stdout + t.stderr + page).includes(secret));
  } finally {
    await staging.close();
    await ws.close();
  }
});

test('compare a workspace and export bundles (JSON folder, Markdown zip) with sites', async () => {
  const { ws, staging, env } = await twoSites();
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const json = join(ws.dir, 'bundle-json');
    const zip = join(ws.dir, 'bundle-md.zip');
    assert.equal((await ws.csync(['export', '--format', 'json', '--out', json])).code, 0);
    assert.equal((await ws.csync(['export', '--format', 'md', '--zip', zip])).code, 0);

    // A Markdown-only zip reads the same as the site it came from.
    const zipSame = await ws.csync(['compare', zip, 'prod:DEMO'], env);
    assert.equal(zipSame.code, 0, zipSame.stdout + zipSame.stderr);
    assert.match(zipSame.stdout, new RegExp(`matched by id\\nNo differences: ${DEMO} page\\(s\\) the same\\.`));

    // The workspace as pulled, with a local edit and a new local file: exactly those differ (matched by id).
    const file = join(ws.dir, fileOf(ws, 'First sync'));
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n*$/, '\n\nA line added locally.\n'));
    writeFileSync(join(ws.dir, 'content', 'DEMO', 'Demo space home', 'Scratch.md'), '---\ntitle: Scratch\n---\nNot pushed yet.\n');
    const edited = await ws.csync(['compare', ws.dir, 'default:DEMO', '--json'], env);
    assert.equal(edited.code, 14, edited.stderr);
    const er = JSON.parse(edited.stdout) as Report;
    assert.deepEqual([er.matchedBy, er.unchanged, er.moved.length], ['id', DEMO - 1, 0]);
    assert.deepEqual(paths(er.onlyInA), ['Demo space home / Scratch']);
    assert.deepEqual(paths(er.onlyInB), []);
    assert.deepEqual(er.changed.map((c) => [c.a.path, c.a.id === c.b.id]), [['Demo space home / Getting started / First sync', true]]);
    assert.match(er.changed[0]!.diff, /^-A line added locally\.$/m);

    // The JSON bundle of prod against the staging site: the same differences as between the two sites.
    seedDifferences(staging);
    const b = await ws.csync(['compare', json, 'staging:DEMO', '--json'], env);
    assert.equal(b.code, 14, b.stderr);
    const br = JSON.parse(b.stdout) as Report;
    assert.equal(br.matchedBy, 'title path');
    assert.deepEqual([br.onlyInA.length, br.onlyInB.length, br.changed.length, br.moved.length, br.unchanged], [1, 1, 1, 2, DEMO - 4]);
    assert.deepEqual(paths(br.changed.map((c) => c.b)), ['Demo space home / Getting started / Configuration']);
  } finally {
    await staging.close();
    await ws.close();
  }
});

test('compare: an unknown site, missing credentials and a path that is nothing are clear errors', async () => {
  const { ws, staging, env } = await twoSites();
  try {
    const unknown = await ws.csync(['compare', 'qa:DEMO', 'prod:DEMO'], env);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /'qa:DEMO' names no configured site: there is no site 'qa' in sites \(configured: default, prod, staging\)/);
    const noToken = await ws.csync(['compare', 'prod:DEMO', 'staging:DEMO'], { PROD_TOKEN: env.PROD_TOKEN! });
    assert.equal(noToken.code, 3);
    assert.match(noToken.stderr, /no credentials for site 'staging': neither STAGING_CONFLUENCE_API_TOKEN nor STAGING_CONFLUENCE_PAT is set/);
    const nothing = await ws.csync(['compare', join(ws.dir, 'nope'), 'prod:DEMO'], env);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /is neither a configured site \(NAME:SPACE\) nor an existing workspace or export bundle/);
    assert.ok(!existsSync(join(ws.dir, 'report.html')));
  } finally {
    await staging.close();
    await ws.close();
  }
});

test('compare a Cloud site with a Data Center site (its PAT in the workspace .env): the same demo space reads the same', async () => {
  const { ws, staging, env } = await twoSites();
  const dc = await startEmulator({ flavour: 'data-center', credentials: { pat: 'dc-only-pat' } });
  try {
    const cfgFile = join(ws.dir, 'config', 'csync.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as { sites: Record<string, Record<string, string>> };
    cfg.sites.dc = { url: dc.url, patEnv: 'DC_PAT' };
    writeFileSync(cfgFile, JSON.stringify(cfg));
    writeFileSync(join(ws.dir, '.env'), 'DC_PAT=dc-only-pat\n', { mode: 0o600 });
    const r = await ws.csync(['compare', 'prod:DEMO', 'dc:DEMO'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^B: dc:DEMO \\(site, ${DEMO} pages\\)\\nmatched by title path\\nNo differences: ${DEMO} page\\(s\\) the same\\.$`, 'm'));
    assert.ok(!(r.stdout + r.stderr).includes('dc-only-pat'));
  } finally {
    await dc.close();
    await staging.close();
    await ws.close();
  }
});

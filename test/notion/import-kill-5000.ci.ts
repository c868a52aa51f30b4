/**
 * The 5,000-page kill -9 test of `csync import notion` (issue 17's acceptance): too long for `npm test` (several
 * minutes), so `.ci/run` runs it as its own step after the suite:
 *   CSYNC_TEST_CLI=dist node --import tsx --test test/notion/import-kill-5000.ci.ts
 * `npm test` runs the same check on 60 pages (test/notion/import-notion.test.ts).
 *   NOTION_KILL5K_SEED=<n> replays the kill points of one seed; NOTION_KILL5K_PAGES=<n> changes the size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announce, replayCommand, suiteSeeds } from '../helpers/seeds.js';
import { killAndResume } from './kill-resume.js';

const PAGES = Number(process.env.NOTION_KILL5K_PAGES ?? 5000);
// Four kills: the first and third at points drawn from the fixed seed, the second and fourth from a fresh one.
const seeds = suiteSeeds('NOTION_KILL5K', 20261217, 1, 1);
announce(`notion-import kill -9, ${PAGES} pages`, seeds);
const last = seeds[seeds.length - 1]!;
const replay = `NOTION_KILL5K_SEED=${last.seed} CSYNC_TEST_CLI=dist node --import tsx --test test/notion/import-kill-5000.ci.ts`;
void replayCommand;

// A given seed (the replay) takes the fresh seed's place beside the fixed one, so the same kill points come back.
test(`kill -9 at random points of a ${PAGES}-page Notion import, then rerun: the files of an uninterrupted import, nothing asked for again after its checkpoint, no page pushed twice`, { timeout: 40 * 60_000 }, async () => {
  const report = await killAndResume({ pages: PAGES, blocksPerPage: 2, kills: 4, seeds: seeds[0]!.kind === 'given' ? [20261217, seeds[0]!.seed] : seeds.map((s) => s.seed), replay, items: 8, runTimeoutMs: 15 * 60_000, log: (l) => console.log(l) });
  console.log(JSON.stringify(report));
  assert.ok(report.kills.length >= 2, `at least two kills happened (${report.kills.length})`);
  assert.equal(report.files, PAGES);
});

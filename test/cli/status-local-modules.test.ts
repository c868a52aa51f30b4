/** `csync status --local` loads no network client, no daemon, no metrics and no emulator (issue 18: a fast CLI). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('status --local loads neither got, prom-client, the daemon nor the emulator', () => {
  const t = tempDir('csync-status-local-');
  try {
    mkdirSync(join(t.dir, 'config'));
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ spaces: ['DOC'] }));
    mkdirSync(join(t.dir, 'content', 'DOC'), { recursive: true });
    writeFileSync(join(t.dir, 'content', 'DOC', 'New page.md'), '# New page\n');
    const log = join(t.dir, 'loaded.txt');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test', 'cli', 'fixtures', 'load-log.mjs'), join(ROOT, 'src', 'cli', 'main.ts'), 'status', '--local', '-w', t.dir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: t.dir, CSYNC_TEST_LOAD_LOG: log },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /New page\.md/);
    const loaded = readFileSync(log, 'utf8').split('\n');
    assert.ok(loaded.some((u) => u.includes('/src/engine/status.ts')), 'the hook saw the status engine load');
    for (const unwanted of ['/node_modules/got/', '/node_modules/prom-client/', '/node_modules/ioredis/', '/src/remote/', '/src/daemon/', '/src/emulator/', ...START_UP]) {
      assert.deepEqual(loaded.filter((u) => u.includes(unwanted)), [], `${unwanted} must not load`);
    }
    // Nothing was logged at the file's level: the log file is opened at its first line, so there is none.
    assert.equal(existsSync(join(t.dir, 'logs')), false, 'no logs/ folder');
    // The same check sees zod load when a value needs its words (the assertion above is not vacuous).
    writeFileSync(log, '');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test', 'cli', 'fixtures', 'load-log.mjs'), join(ROOT, 'src', 'cli', 'main.ts'), 'status', '--local', '-w', t.dir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: t.dir, CSYNC_TEST_LOAD_LOG: log, CSYNC_RATE_BURST: '0' },
    });
    assert.equal(bad.status, 3, bad.stderr);
    assert.equal(bad.stderr.split('\n')[0], 'csync: rate.burst = 0 (from environment CSYNC_RATE_BURST) is invalid: expected a number > 0');
    assert.ok(readFileSync(log, 'utf8').includes('/node_modules/zod/'), 'a bad value loads zod for its message');
  } finally {
    t.cleanup();
  }
});

/**
 * What every command paid at start-up before issue 18's start-up work: zod (~95 modules; the configuration's schemas
 * are now built only for a value that needs zod's words) and the rotating-log library with date-fns' whole index
 * (~300 modules; the log file is now written by src/obs/log-file.ts, opened at its first line).
 */
const START_UP = ['/node_modules/zod/', '/node_modules/pino-roll/', '/node_modules/date-fns/'];

/** The Markdown pipeline's packages and modules: converting needs them, reading an unchanged workspace does not. */
const MARKDOWN_PIPELINE = ['/node_modules/unified/', '/node_modules/remark-', '/node_modules/micromark', '/node_modules/mdast-', '/src/format/markdown/'];

test('status --local of a pulled, unchanged workspace does not load the Markdown pipeline (remark, unified, micromark)', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const pulled = await ws.csync(['pull']);
    assert.equal(pulled.code, 0, pulled.stderr);
    const log = join(ws.dir, 'loaded.txt');
    const logFile = join(ws.dir, 'logs', 'csync.1.log');
    const logSize = statSync(logFile).size;
    const status = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test', 'cli', 'fixtures', 'load-log.mjs'), join(ROOT, 'src', 'cli', 'main.ts'), 'status', '--local', '-w', ws.dir, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: ws.dir, CSYNC_TEST_LOAD_LOG: log },
      });
    const r = status([]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Everything in sync: DEMO \(\d+ pages/);
    const loaded = readFileSync(log, 'utf8').split('\n');
    assert.ok(loaded.some((u) => u.includes('/src/engine/status.ts')), 'the hook saw the status engine load');
    for (const unwanted of [...MARKDOWN_PIPELINE, ...START_UP]) assert.deepEqual(loaded.filter((u) => u.includes(unwanted)), [], `${unwanted} must not load`);
    assert.equal(statSync(logFile).size, logSize, 'status logged nothing to the file');
    // The same check sees the pipeline when a command converts: `csync diff` of an edited page loads it (the
    // assertion above is not vacuous).
    const page = ws.files('content').find((f) => f.endsWith('.md'))!;
    writeFileSync(join(ws.dir, page), readFileSync(join(ws.dir, page), 'utf8') + '\nAn edit.\n');
    writeFileSync(log, '');
    // Not spawnSync: the emulator answering diff's requests runs in this process.
    const diff = await ws.csync(['diff'], { CSYNC_TEST_LOAD_LOG: log, NODE_OPTIONS: `--import ${join(ROOT, 'test', 'cli', 'fixtures', 'load-log.mjs')}` });
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /An edit\./);
    assert.ok(readFileSync(log, 'utf8').includes('/node_modules/micromark'), 'diff loads the Markdown pipeline');
  } finally {
    await ws.close();
  }
});

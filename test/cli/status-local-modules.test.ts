/** `csync status --local` loads no network client, no daemon, no metrics and no emulator (issue 18: a fast CLI). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers/cli.js';

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
    for (const unwanted of ['/node_modules/got/', '/node_modules/prom-client/', '/node_modules/ioredis/', '/src/remote/', '/src/daemon/', '/src/emulator/']) {
      assert.deepEqual(loaded.filter((u) => u.includes(unwanted)), [], `${unwanted} must not load`);
    }
  } finally {
    t.cleanup();
  }
});

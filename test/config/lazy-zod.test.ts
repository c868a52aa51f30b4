/**
 * The configuration's schemas are recorded and checked by a small checker before zod is built (src/config/lazy-zod.ts,
 * issue 18). The checker may only pass a value zod passes, with the data zod gives; everything else goes to zod. Here
 * both paths meet every setting's schema with values near each bound, of each wrong type, and a seeded random mix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SETTINGS } from '../../src/config/settings.js';
import { SITE_SCHEMA } from '../../src/config/sites.js';
import { exportDefinitionsSchema } from '../../src/config/export-definitions.js';
import { realSchema } from '../../src/config/lazy-zod.js';
import { ROOT } from '../helpers/cli.js';
import { replayCommand, suiteSeeds } from '../helpers/seeds.js';
import { prng } from '../../src/emulator/bench-body.js';

const FIXED: unknown[] = [
  undefined, null, true, false, 0, -0, 1, -1, 0.5, 1.5, 4, 5, 9, 10, 20, 63, 64, 65, 100, 101, 250, 251, 500, 501, 1000,
  1000.5, 1001, 10000, 10001, 86400, 86401, 600000, 600001, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e21,
  NaN, Infinity, -Infinity, '', ' ', '1', '10', 'x', 'DOC', 'doc_1~', 'DO C', 'a'.repeat(255), 'a'.repeat(256), 'a'.repeat(500),
  'a'.repeat(501), 'markdown', 'storage', 'Markdown', 'fast', 'balanced', 'conservative', 'local', 'redis', 'auto', 'cloud',
  'data-center', 'trace', 'info', 'silent', '123', '12a', 'redis://h:6379', 'rediss://u:p@h/1', 'redis://', 'http://x',
  '127.0.0.1:9464', '[::1]:9464', 'localhost:', 'host:123456', 'https://acme.atlassian.net/wiki', ' https://acme.atlassian.net ',
  'https://a.test/\tpath\n', 'https://a b.test', 'mailto:x@y', 'not a url', 'http://[::1]:8080/x', 'file:///etc/passwd',
  [], [''], ['DOC'], ['DOC', 'X Y'], ['a', 'b'], [1], [[]], {}, { a: 1 }, [{ name: 'a', out: 'a' }], [{ name: 'list', out: 'a' }],
  { url: 'https://x.test' }, { url: 'https://x.test', extra: 1 }, { url: 'https://x.test', tokenEnv: 'X_1' }, { url: 'nope' },
];

/** Random values shaped like config values: numbers near bounds, short strings of URL/key characters, small arrays. */
function randomValue(rand: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (r < 0.35) return pick([0, 1, 5, 10, 64, 100, 250, 1000, 86400]) + pick([-1, -0.5, 0, 0, 0.5, 1]) * pick([1, 1e-9, 1000]);
  if (r < 0.75) {
    const chars = 'aZ09_~:/.-@ \t[]%xhttps';
    let s = pick(['', 'https://', 'http://', 'redis://', ' ', 'DOC', '']);
    for (let i = Math.floor(rand() * 12); i > 0; i--) s += pick([...chars]);
    return s;
  }
  if (r < 0.9) return Array.from({ length: Math.floor(rand() * 3) }, () => (rand() < 0.8 ? pick(['DOC', 'a', '', 'A B', 'x~1']) : 7));
  return pick([true, false, null, undefined, {}]);
}

const SCHEMAS: Array<[string, { safeParse(v: unknown): { success: boolean; data?: unknown; error?: unknown } }]> = [
  ...SETTINGS.map((d): [string, (typeof SCHEMAS)[number][1]] => [d.path, d.schema]),
  ['sites.<name>', SITE_SCHEMA],
  ['exports', exportDefinitionsSchema],
];

function agree(name: string, schema: (typeof SCHEMAS)[number][1], value: unknown): void {
  const lazy = schema.safeParse(value);
  const real = realSchema(schema).safeParse(value);
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  assert.equal(lazy.success, real.success, `${name}: ${shown}: success`);
  if (real.success) assert.deepEqual(lazy.data, real.data, `${name}: ${shown}: data`);
  else assert.deepEqual((lazy.error as { issues: unknown }).issues, (real.error as { issues: unknown }).issues, `${name}: ${shown}: issues`);
}

test('every setting default passes its zod schema unchanged (loadConfig takes defaults without parsing them)', () => {
  for (const d of SETTINGS) {
    if (d.default === undefined) continue;
    const r = realSchema(d.schema).safeParse(d.default);
    assert.ok(r.success, `${d.path}: default ${JSON.stringify(d.default)}`);
    assert.deepEqual(r.data, d.default, d.path);
  }
});

test('the lazy schemas give what zod gives, for every setting, on fixed and random values', () => {
  for (const [name, schema] of SCHEMAS) for (const v of FIXED) agree(name, schema, v);
  for (const { seed, kind, cases } of suiteSeeds('CSYNC_LAZY_ZOD', 1847, 3000, 3000)) {
    console.log(`lazy zod: ${kind} seed ${seed}, ${cases} values (replay: ${replayCommand('CSYNC_LAZY_ZOD', seed, undefined, 'test/config/lazy-zod')})`);
    const rand = prng(seed);
    for (let i = 0; i < cases; i++) {
      const [name, schema] = SCHEMAS[Math.floor(rand() * SCHEMAS.length)]!;
      const value = randomValue(rand);
      try {
        agree(name, schema, value);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n  seed ${seed}, value #${i}; replay: ${replayCommand('CSYNC_LAZY_ZOD', seed, undefined, 'test/config/lazy-zod')}`);
      }
    }
  }
});

test('loading a valid config (file, .env, environment with a URL) builds no zod schema and loads no zod', () => {
  // A child process: this one has zod loaded by the tests above.
  const script = `
    import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
        import { loadConfig } from './src/config/index.js';
    import { zodLoaded } from './src/config/lazy-zod.js';
    const ws = mkdtempSync(join(tmpdir(), 'csync-lazy-zod-'));
    mkdirSync(join(ws, 'config'));
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['DOC'], rate: { maxConcurrent: 3 }, log: { level: 'debug' } }));
    writeFileSync(join(ws, '.env'), 'CONFLUENCE_EMAIL=a@b.test\\n');
    const c = loadConfig({ workspace: ws, env: { CONFLUENCE_URL: 'https://acme.atlassian.net/wiki', CONFLUENCE_API_TOKEN: 'tok-123', CSYNC_BATCH_PAGE_SIZE: '100' }, requireSite: true });
    const loaded = Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/zod/'));
    console.log(JSON.stringify({ zod: zodLoaded(), loaded: loaded.length, url: c.site.url, pageSize: c.batch.pageSize, conc: c.rate.maxConcurrent }));
    try { loadConfig({ workspace: ws, env: { CSYNC_RATE_BURST: '0' } }); } catch (e) { console.log(e.message); }
    console.log(JSON.stringify({ zod: zodLoaded() }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [first, error, last] = r.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(first!), { zod: false, loaded: 0, url: 'https://acme.atlassian.net/wiki', pageSize: 100, conc: 3 });
  // A bad value still gets zod's own words, through the real schema.
  assert.equal(error, 'rate.burst = 0 (from environment CSYNC_RATE_BURST) is invalid: expected a number > 0');
  assert.deepEqual(JSON.parse(last!), { zod: true });
});

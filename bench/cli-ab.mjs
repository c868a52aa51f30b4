#!/usr/bin/env node
// Two built CLIs run alternately (A, B, B, A, ...) N times each on the same arguments: median wall time, median CPU
// (user + sys, GNU time) and median peak RSS of each. Fair on a shared machine, where back-to-back runs are not.
//   node bench/cli-ab.mjs /path/to/before/dist/cli/main.js dist/cli/main.js 9 "status --local -w WS" "--version"
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

const [, , a, b, n = '9', ...cases] = process.argv;
if (!a || !b || cases.length === 0) {
  console.error('usage: node bench/cli-ab.mjs BEFORE_MAIN_JS AFTER_MAIN_JS N "ARGS" ["ARGS"...]');
  process.exit(2);
}
const CLIS = { before: a, after: b };
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const run = (cli, args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, cli, ...args], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const [u, s, m] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: (u + s) * 1000, mb: m / 1024, code: r.status };
};
const load = loadavg()[0];
for (const c of cases) {
  const args = c.split(' ');
  const res = { before: [], after: [] };
  for (let i = 0; i < Number(n); i++) for (const k of i % 2 ? ['after', 'before'] : ['before', 'after']) res[k].push(run(CLIS[k], args));
  const line = (k) => `${k}: wall ${median(res[k].map((x) => x.wall)).toFixed(0)} ms, cpu ${median(res[k].map((x) => x.cpu)).toFixed(0)} ms, ${median(res[k].map((x) => x.mb)).toFixed(0)} MB, exit ${res[k][0].code}`;
  console.log(`${c}\n  ${line('before')}\n  ${line('after')}`);
}
console.log(`load average ${load.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);

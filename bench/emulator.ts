/**
 * Emulator throughput: requests per second the emulator serves on loopback, measured from N concurrent keep-alive
 * fetch clients against `csync emulator --seed 2000` running in its own process (so the clients' CPU is not the
 * server's). Three workloads, each run RUNS times for SECONDS seconds, medians reported:
 * - list: GET /spaces/{id}/pages?body-format=storage&limit=250 (bodies ~5 KB each), following the cursor
 * - get: GET /pages/{id}?body-format=storage on random pages
 * - update: PUT /pages/{id} with version current+1 (each client owns one page)
 * CSYNC_BENCH_EMU_SECONDS, CSYNC_BENCH_EMU_RUNS and CSYNC_BENCH_EMU_CLIENTS override the defaults (3 s, 3 runs, 8).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Metrics = Record<string, number | string | boolean>;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.CSYNC_BENCH_EMU_SECONDS ?? 3);
const RUNS = Number(process.env.CSYNC_BENCH_EMU_RUNS ?? 3);
const CLIENTS = Number(process.env.CSYNC_BENCH_EMU_CLIENTS ?? 8);
const PAGES = 2000;
const AUTH = `Basic ${Buffer.from('demo@example.com:demo-token').toString('base64')}`;

interface Server {
  url: string;
  stop: () => Promise<number | null>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'emulator', '--port', '0', '--seed', String(PAGES)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+\/wiki)/.exec(out);
      if (m) resolve(m[1]!);
    });
    exited.then((code) => reject(new Error(`emulator exited (${code}) before listening`)), reject);
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function request(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, {
    method,
    headers: { Authorization: AUTH, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Runs `step` in CLIENTS concurrent loops for SECONDS; returns completed requests per second and error count. */
async function measure(step: (client: number) => Promise<boolean>): Promise<{ rps: number; requests: number; errors: number }> {
  let requests = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (performance.now() < end) {
        if (await step(c)) requests++;
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { rps: requests / elapsed, requests, errors };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function throughput(): Promise<Metrics> {
  const server = await startServer();
  const v2 = `${server.url}/api/v2`;
  try {
    const space = (await request('GET', `${v2}/spaces?keys=BENCH`)).json.results[0] as { id: string };
    // Warm-up: one full listing with bodies (bench bodies are generated on first read) and the page ids.
    const ids: string[] = [];
    let next: string | undefined = `${v2}/spaces/${space.id}/pages?body-format=storage&limit=250`;
    while (next) {
      const r = await request('GET', next);
      ids.push(...r.json.results.map((p: { id: string }) => p.id));
      next = r.json._links.next ? `${server.url.replace(/\/wiki$/, '')}${r.json._links.next}` : undefined;
    }
    if (ids.length !== PAGES) throw new Error(`listed ${ids.length} pages, expected ${PAGES}`);

    // list: each client walks the space with bodies, 250 per request, starting over at the end.
    const cursors: Array<string | undefined> = Array.from({ length: CLIENTS }, () => undefined);
    let listedPages = 0;
    const list = async (c: number) => {
      const r = await request('GET', cursors[c] ?? `${v2}/spaces/${space.id}/pages?body-format=storage&limit=250`);
      if (r.status !== 200) return false;
      listedPages += r.json.results.length;
      cursors[c] = r.json._links.next ? `${server.url.replace(/\/wiki$/, '')}${r.json._links.next}` : undefined;
      return true;
    };
    let seed = 7;
    const get = async () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const r = await request('GET', `${v2}/pages/${ids[seed % ids.length]}?body-format=storage`);
      return r.status === 200;
    };
    const owned = ids.slice(-CLIENTS);
    const versions = await Promise.all(owned.map(async (id) => (await request('GET', `${v2}/pages/${id}`)).json.version.number as number));
    const initial = versions.reduce((a, v) => a + v, 0);
    let edits = 0;
    let updatesOk = 0;
    const update = async (c: number) => {
      const id = owned[c]!;
      const number = versions[c]! + 1;
      const body = { id, status: 'current', title: `Bench page edited ${id}`, body: { representation: 'storage', value: `<p>edit ${edits++} by client ${c}</p>` }, version: { number } };
      const r = await request('PUT', `${v2}/pages/${id}`, body);
      if (r.status !== 200) return false;
      versions[c] = number;
      updatesOk++;
      return true;
    };

    const results = { list: [] as number[], get: [] as number[], update: [] as number[] };
    let requests = 0;
    let errors = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const [name, step] of [
        ['list', list],
        ['get', get],
        ['update', update],
      ] as const) {
        const m = await measure(step);
        results[name].push(m.rps);
        requests += m.requests;
        errors += m.errors;
      }
    }
    // Every accepted update bumped its page by exactly one version, on the server as well as here.
    const serverVersions = await Promise.all(owned.map(async (id) => (await request('GET', `${v2}/pages/${id}`)).json.version.number as number));
    if (serverVersions.reduce((a, v) => a + v, 0) - initial !== updatesOk) throw new Error('update count and server versions disagree');
    const listRps = median(results.list);
    return {
      clients: CLIENTS,
      secondsPerRun: SECONDS,
      runs: RUNS,
      spacePages: PAGES,
      listRps,
      listPagesPerSec: listRps * 250,
      getRps: median(results.get),
      updateRps: median(results.update),
      listRpsMin: Math.min(...results.list),
      listRpsMax: Math.max(...results.list),
      getRpsMin: Math.min(...results.get),
      getRpsMax: Math.max(...results.get),
      updateRpsMin: Math.min(...results.update),
      updateRpsMax: Math.max(...results.update),
      requests,
      errors,
      pagesListed: listedPages,
      updatesApplied: updatesOk,
    };
  } finally {
    const code = await server.stop();
    if (code !== 0) process.exitCode = 1; // the emulator did not stop cleanly on SIGTERM
  }
}

export const scenarios = {
  'emulator-throughput': throughput,
};

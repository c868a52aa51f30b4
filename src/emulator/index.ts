/**
 * The emulator: a local Confluence-compatible server for the demo, tests and benchmarks.
 *   const emu = await startEmulator({ seed: 'demo' });   // port 0 = a free port on 127.0.0.1
 *   emu.url            // http://127.0.0.1:PORT/wiki (the Cloud base URL; emu.origin without /wiki)
 *   emu.credentials    // { email, token, pat }
 *   emu.api.editPage(id, { body }) ...                      // "another user" edits (see EmulatorApi)
 *   emu.requestCounts(); emu.invalidRequests(); await emu.close();
 * Everything the in-process API does is also reachable over HTTP under /__emulator (see admin.ts).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import writeFileAtomic from 'write-file-atomic';
import { createAdmin } from './admin.js';
import { EmulatorApi } from './api.js';
import { Faults, RANDOM_KINDS, type FaultKind, type ScriptedFault } from './faults.js';
import { TokenBucket } from './rate-limit.js';
import { seedBench, seedDemo } from './seed.js';
import { createHandler, DEMO_EMAIL, DEMO_PAT, DEMO_TOKEN, type EmulatorFlavour, type InvalidRequest, type LoggedRequest, type ServerState } from './server.js';
import type { DeprecatedV1 } from './v1-legacy.js';
import { Store } from './store.js';
import { seedJiraBench, seedJiraDemo } from './jira/seed.js';
import { JiraStore } from './jira/store.js';
import { SpecValidator } from './validate.js';
import { NOTION_TOKEN } from './notion/api.js';
import { seedNotion, type NotionSeed } from './notion/seed.js';
import type { NotionStore } from './notion/store.js';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** 'demo' (space DEMO, Jira project DEMO), 'empty' (no spaces), or a page count (space BENCH). Default 'demo'. */
  seed?: 'demo' | 'empty' | number;
  /** Jira issues in project BENCH (generated; added to whatever `seed` made). */
  jiraIssues?: number;
  rateLimit?: { rps: number; burst?: number } | undefined;
  latencyMs?: number;
  faultProbability?: number;
  faultKinds?: readonly FaultKind[];
  /** How long a stalled response hangs before the socket is closed (default 30 s). */
  stallMs?: number;
  /** Persist state to this JSON file (loaded at start when it exists; written after changes). */
  dataFile?: string | undefined;
  /** Reject requests the OpenAPI documents reject (default true). */
  strict?: boolean;
  /** Millisecond clock for the rate limiter and timestamps (tests). */
  clock?: () => number;
  random?: () => number;
  /** 'cloud' (under /wiki), 'data-center' (/rest/api at the root, no v2) or 'both' side by side (default). */
  flavour?: EmulatorFlavour;
  /** The deprecated Cloud v1 content endpoints: 'live' (served, default) or 'gone' (410, as removed sites answer). */
  deprecatedV1?: DeprecatedV1;
  /** Accepted credentials (default demo@example.com / demo-token, PAT demo-pat). */
  credentials?: { email?: string; token?: string; pat?: string };
  /** Largest page body a create or update takes (default 5 MiB); over it the answer is 413. */
  maxPageBodyBytes?: number;

  /**
   * Also serve the Notion API under /notion/v1 (README "Notion"): the workspace to seed, the integration token
   * (default `ntn_demo_emulator_token`) and the rate limit (default 3 req/s with a burst of 10; `false` for none).
   */
  notion?: { seed: NotionSeed; token?: string; rateLimit?: { rps: number; burst?: number } | false } | undefined;
}

export interface Emulator {
  /** The base URL users configure: http://127.0.0.1:PORT/wiki (Cloud), http://127.0.0.1:PORT for flavour 'data-center'. */
  url: string;
  flavour: EmulatorFlavour;
  /** http://127.0.0.1:PORT: the Data Center base URL (its /rest/api is served here unless the flavour is 'cloud'). */
  origin: string;
  port: number;
  credentials: { email: string; token: string; pat: string };
  api: EmulatorApi;
  store: Store;
  /** The Jira side (issues, comments, links): edit it directly in tests (jira.editIssue, jira.addComment). */
  jira: JiraStore;
  faults: Faults;
  /** The Notion side (when started with `notion`): base URL for the client (`…/notion`), token, store, rate limit. */
  notion: { url: string; token: string; store: NotionStore; setRateLimit(limit: { rps: number; burst?: number } | undefined): void } | undefined;
  /** Every API request so far (admin requests excluded). */
  requestLog(): readonly LoggedRequest[];
  /** Counts by "METHOD /route/{id}". */
  requestCounts(): Record<string, number>;
  /** Requests that failed OpenAPI validation (tests assert this stays empty). */
  invalidRequests(): readonly InvalidRequest[];
  resetLog(): void;
  setRateLimit(limit: { rps: number; burst?: number } | undefined): void;
  setLatency(ms: number): void;
  scriptFaults(faults: ScriptedFault[]): void;
  setFaultProbability(p: number, kinds?: readonly FaultKind[]): void;
  clearFaults(): void;
  /** Writes the --data file now (also done automatically after changes). */
  save(): Promise<void>;
  close(): Promise<void>;
}

export function requestCounts(log: readonly LoggedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) counts[`${r.method} ${r.route}`] = (counts[`${r.method} ${r.route}`] ?? 0) + 1;
  return counts;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.clock ?? Date.now;
  let store: Store;
  // The --data file holds the Confluence store and, under `jira`, the Jira store (files written before Jira was
  // persisted have no `jira`: Jira is seeded as on a first start).
  let savedJira: unknown;
  if (options.dataFile && existsSync(options.dataFile)) {
    const saved = JSON.parse(readFileSync(options.dataFile, 'utf8')) as { jira?: unknown };
    store = Store.fromJSON(saved);
    savedJira = saved.jira;
  } else {
    store = new Store();
    store.now = now;
    const seed = options.seed ?? 'demo';
    if (seed === 'demo') seedDemo(store);
    else if (typeof seed === 'number') seedBench(store, seed);
  }
  store.now = now;
  if (options.maxPageBodyBytes !== undefined) store.maxPageBodyBytes = options.maxPageBodyBytes;
  const jira = savedJira ? JiraStore.fromJSON(savedJira) : new JiraStore();
  jira.now = now;
  if (!savedJira) {
    if ((options.seed ?? 'demo') === 'demo') seedJiraDemo(jira);
    if (options.jiraIssues) seedJiraBench(jira, options.jiraIssues);
  }
  const makeBucket = (l: EmulatorOptions['rateLimit']) => (l ? new TokenBucket(l.rps, l.burst ?? Math.max(1, Math.round(l.rps * 2)), now) : undefined);
  const state: ServerState = {
    store,
    jira,
    flavour: options.flavour ?? 'both',
    deprecatedV1: options.deprecatedV1 ?? 'live',
    faults: new Faults({ probability: options.faultProbability ?? 0, kinds: options.faultKinds ?? RANDOM_KINDS, stallMs: options.stallMs ?? 30_000, random: options.random ?? Math.random }),
    bucket: makeBucket(options.rateLimit),
    latencyMs: options.latencyMs ?? 0,
    strict: options.strict ?? true,
    validator: new SpecValidator(),
    log: [],
    invalid: [],
    now,
    credentials: { email: options.credentials?.email ?? DEMO_EMAIL, token: options.credentials?.token ?? DEMO_TOKEN, pat: options.credentials?.pat ?? DEMO_PAT },
    notion: options.notion
      ? {
          store: seedNotion(options.notion.seed),
          token: options.notion.token ?? NOTION_TOKEN,
          bucket: options.notion.rateLimit === false ? undefined : new TokenBucket(options.notion.rateLimit?.rps ?? 3, options.notion.rateLimit?.burst ?? 10, now),
        }
      : undefined,
  };
  let saving: Promise<void> = Promise.resolve();
  // Confluence and Jira changes together (Jira is changed through emu.jira, not through routes).
  const changeCount = () => store.changes + jira.changes;
  let savedChanges = changeCount();
  const save = async () => {
    if (!options.dataFile) return;
    const changes = changeCount();
    saving = saving.then(() => writeFileAtomic(options.dataFile!, JSON.stringify({ ...(store.toJSON() as object), jira: jira.toJSON() })));
    await saving;
    savedChanges = Math.max(savedChanges, changes);
  };
  let timer: NodeJS.Timeout | undefined;
  state.onChange = () => {
    if (!options.dataFile || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      // A failed background save is not lost: the next change, or close(), saves again.
      if (changeCount() !== savedChanges) save().catch(() => undefined);
    }, 200);
  };
  const api = new EmulatorApi(store);
  const server: Server = createServer(createHandler(state, createAdmin(state, api)));
  server.keepAliveTimeout = 5000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: state.flavour === 'data-center' ? `http://${shownHost}:${port}` : `http://${shownHost}:${port}/wiki`,
    origin: `http://${shownHost}:${port}`,
    port,
    flavour: state.flavour,
    credentials: { ...state.credentials },
    api,
    store,
    jira,
    faults: state.faults,
    notion: state.notion
      ? {
          url: `http://${shownHost}:${port}/notion`,
          token: state.notion.token,
          store: state.notion.store,
          setRateLimit: (l) => {
            if (state.notion) state.notion.bucket = l ? new TokenBucket(l.rps, l.burst ?? 10, now) : undefined;
          },
        }
      : undefined,
    requestLog: () => state.log,
    requestCounts: () => requestCounts(state.log),
    invalidRequests: () => state.invalid,
    resetLog: () => {
      state.log.length = 0;
      state.invalid.length = 0;
    },
    setRateLimit: (l) => {
      state.bucket = makeBucket(l);
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    scriptFaults: (f) => state.faults.add(f),
    setFaultProbability: (p, kinds) => state.faults.set({ probability: p, ...(kinds ? { kinds } : {}) }),
    clearFaults: () => state.faults.clear(),
    save,
    close: async () => {
      if (timer) clearTimeout(timer);
      if (options.dataFile && changeCount() !== savedChanges) await save();
      await saving;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { EmulatorApi } from './api.js';
export { FAULT_KINDS, type FaultKind, type ScriptedFault } from './faults.js';
export { DEMO_EMAIL, DEMO_TOKEN, DEMO_PAT, type EmulatorFlavour, type LoggedRequest, type InvalidRequest } from './server.js';
export type { DeprecatedV1 } from './v1-legacy.js';
export type { Store, StoredPage, StoredAttachment, StoredSpace } from './store.js';
export type { JiraStore, JiraIssue } from './jira/store.js';

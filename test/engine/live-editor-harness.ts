/**
 * The live editor of live-editor.property.test.ts and live-editor-kill.test.ts: an async loop that changes, creates,
 * renames and deletes page files (and edits pages as another user) at given moments while the engine runs, and
 * remembers every token it wrote, so a suite can tell whether the bytes it wrote last survived.
 */
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import fc from 'fast-check';
import type { Emulator } from '../../src/emulator/index.js';
import { stopAfterWrite } from './sync-harness.js';

export const TOKEN_RE = /tok\d+x/g;

export type EditorOp =
  | { k: 'edit'; i: number; top: boolean; atomic: boolean }
  | { k: 'create'; i: number }
  | { k: 'rename'; i: number }
  | { k: 'delete'; i: number }
  | { k: 'redit'; i: number };
export type Fault = { kind: 'none' } | { kind: 'crash'; after: number } | { kind: 'lost-answer'; method: 'PUT' | 'POST' } | { kind: 'stop-after-write'; method: 'PUT' | 'POST' };
/** 'daemon': the daemon's own passes (src/daemon/passes.ts): a poll, the debounced push of the files the watcher marked, the rescan. */
export type Run = { k: 'pull' | 'push' | 'sync' | 'daemon'; fault: Fault };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Fault>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), after: fc.integer({ min: 0, max: 14 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lost-answer' as const), method: fc.constantFrom('PUT' as const, 'POST' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop-after-write' as const), method: fc.constantFrom('PUT' as const, 'POST' as const) }) },
);
const i = fc.nat(64);
export const editorOpArb: fc.Arbitrary<EditorOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('edit' as const), i, top: fc.boolean(), atomic: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('create' as const), i }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rename' as const), i }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), i }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('redit' as const), i }) },
);
export const liveCaseArb = fc.record({
  pages: fc.integer({ min: 2, max: 5 }),
  // Small cases, many of them: a case's cost is mostly its runs' state.db opens and scans, and most failures this
  // suite found needed two or three runs and a few edits.
  runs: fc.array(fc.record({ k: fc.constantFrom('pull' as const, 'push' as const, 'sync' as const, 'daemon' as const), fault: faultArb }), { minLength: 1, maxLength: 3 }),
  editor: fc.array(fc.record({ op: editorOpArb, delayMs: fc.integer({ min: 0, max: 12 }) }), { minLength: 1, maxLength: 8 }),
  concurrency: fc.constantFrom(1, 4),
});
export type LiveCase = { pages: number; runs: Run[]; editor: Array<{ op: EditorOp; delayMs: number }>; concurrency: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Where the suites make their workspaces: a memory file system when the machine has one (Linux's /dev/shm), else the
 * temp folder. The engine's file operations are the same there (rename, mtime, links); SQLite's fsyncs cost nothing,
 * which is most of a small case's time on a busy disk.
 */
export function fastTmp(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    if (lstatSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // no memory file system here
  }
  return tmpdir();
}

/** Files below `root` (absolute, sorted), tolerant of files vanishing while it walks (the engine runs meanwhile). */
export function walk(root: string): string[] {
  const out: string[] = [];
  const go = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      try {
        const s = lstatSync(p);
        if (s.isDirectory()) go(p);
        else if (s.isFile()) out.push(p);
      } catch {
        // gone meanwhile
      }
    }
  };
  go(root);
  return out.sort();
}

const isCopy = (f: string) => /\.conflict-/.test(f);
/** Write-file-atomic's temporaries and editor temporaries are not the editor's files. */
const isPageFile = (f: string) => f.endsWith('.md') && !isCopy(f);
export const tokens = (text: string) => text.match(TOKEN_RE) ?? [];
export const readOr = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
};

/** The editor: its operations at their moments; returns the tokens it wrote and the ones it deleted itself. */
export interface EditorResult {
  /** Each token the editor wrote: the page id of the file (when it had one) and whether a pull was running then. */
  written: Map<string, { id: string | undefined; duringPull: boolean }>;
  /** Tokens in files the editor deleted itself. */
  deleted: Set<string>;
  /** Pages another user edited. */
  remoteEdited: Set<string>;
}

export async function editor(ops: LiveCase['editor'], ctx: { root: string; emu: Emulator; key: string; token: () => string; log: string[]; pulling: () => boolean }): Promise<EditorResult> {
  const written: EditorResult['written'] = new Map();
  const deleted = new Set<string>();
  const remoteEdited = new Set<string>();
  const idIn = (text: string) => /^id: ['"]?(\d+)/m.exec(text)?.[1];
  const { root, emu, key, token, log } = ctx;
  for (const { op, delayMs } of ops) {
    await sleep(delayMs);
    const files = walk(root).filter(isPageFile);
    const pick = <T>(xs: readonly T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
    switch (op.k) {
      case 'edit': {
        const f = pick(files, op.i);
        const text = f ? readOr(f) : undefined;
        if (!f || text === undefined) break;
        const t = token();
        written.set(t, { id: idIn(text), duringPull: ctx.pulling() });
        // After the front matter (top) or at the end: either way the front matter stays first.
        const next = op.top && text.startsWith('---\n') && text.indexOf('\n---\n', 4) > 0 ? text.replace(/\n---\n/, `\n---\n${t}\n\n`) : `${text.replace(/\n*$/, '\n')}\n${t}\n`;
        if (op.atomic) {
          // Save as many editors do: a temporary beside the file, renamed over it.
          const tmp = join(dirname(f), `.${f.slice(f.lastIndexOf('/') + 1)}.swp`);
          writeFileSync(tmp, next);
          renameSync(tmp, f);
        } else writeFileSync(f, next);
        log.push(`editor: ${op.atomic ? 'save (rename)' : 'save'} ${relative(root, f)} +${t}`);
        break;
      }
      case 'create': {
        const parent = pick(files, op.i);
        const dir = parent ? parent.replace(/\.md$/, '') : join(root, 'Home');
        const t = token();
        written.set(t, { id: undefined, duringPull: ctx.pulling() });
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `New ${t}.md`), `${t}\n`);
        log.push(`editor: create ${relative(root, join(dir, `New ${t}.md`))}`);
        break;
      }
      case 'rename': {
        const f = pick(
          files.filter((x) => relative(root, x).includes('/') && !walk(x.replace(/\.md$/, '')).length),
          op.i,
        );
        if (!f) break;
        const dest = join(dirname(f), `Renamed ${token()}.md`);
        try {
          renameSync(f, dest);
          log.push(`editor: rename ${relative(root, f)} → ${relative(root, dest)}`);
        } catch {
          // gone meanwhile
        }
        break;
      }
      case 'delete': {
        const f = pick(
          files.filter((x) => relative(root, x).includes('/') && !walk(x.replace(/\.md$/, '')).length),
          op.i,
        );
        const text = f ? readOr(f) : undefined;
        if (!f || text === undefined) break;
        for (const t of tokens(text)) deleted.add(t);
        unlinkSync(f);
        log.push(`editor: delete ${relative(root, f)}`);
        break;
      }
      case 'redit': {
        const pages = emu.api.pages(key).filter((p) => p.parentId !== null);
        const p = pick(pages, op.i);
        if (!p) break;
        const t = token();
        emu.api.editPage(p.id, { body: `${emu.api.body(p.id)}<p>${t}</p>` });
        remoteEdited.add(p.id);
        log.push(`another user: edit ${p.title} +${t}`);
        break;
      }
    }
  }
  return { written, deleted, remoteEdited };
}

/** A fault for one run; returns the function that ends it. */
export function applyFault(emu: Emulator, f: Fault): () => void {
  emu.clearFaults();
  if (f.kind === 'lost-answer') emu.scriptFaults([{ kind: 'reset-after', method: f.method, count: 1 }]);
  else if (f.kind === 'stop-after-write') return stopAfterWrite(emu, f.method);
  else if (f.kind === 'crash') {
    const through = emu.requestLog().length + f.after;
    const faults = emu.faults;
    const pick = faults.pick.bind(faults);
    faults.pick = (m: string, p: string) => (emu.requestLog().length >= through ? { kind: 'http500' } : pick(m, p));
    return () => {
      faults.pick = pick;
    };
  }
  return () => {};
}

/** Bytes and mtimes of every file below `dir`. */
export function snapshot(dir: string): string {
  return JSON.stringify(walk(dir).map((f) => [f, readFileSync(f, 'base64'), lstatSync(f).mtimeMs]));
}


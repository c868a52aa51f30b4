/**
 * `csync watch` as a real child process (the CLI of test/helpers/cli.ts) against an emulator: its JSON log lines,
 * its URL (it is started with --listen 127.0.0.1:0 and announces the port in its "daemon started" line), and helpers
 * to wait for things to happen.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, cliArgs, ROOT } from '../helpers/cli.js';

export type LogLine = { msg?: string; level?: number; module?: string } & Record<string, unknown>;

export interface DaemonProcess {
  child: ChildProcessWithoutNullStreams;
  lines: LogLine[];
  /** Raw stdout that was not a JSON line (must stay empty: the daemon logs JSON lines when not on a TTY). */
  other: string[];
  stderr(): string;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  metrics(): Promise<string>;
  /** SIGKILL if still running (test cleanup). */
  kill(): void;
}

/** Polls `cond` every 100 ms; fails with `what` and the daemon's last lines if it never holds within `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms: number, d?: DaemonProcess): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(100);
  }
  const tail = d ? `\nlast log lines:\n${d.lines.slice(-15).map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${d.stderr().slice(-2000)}` : '';
  assert.fail(`never happened within ${ms} ms: ${what}${tail}`);
}

export async function startDaemonProcess(workspace: string, args: string[], env: Record<string, string>): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...cliArgs(), 'watch', '-w', workspace, '--listen', '127.0.0.1:0', ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const other: string[] = [];
  let err = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      other.push(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  let gone = false;
  exited.then(
    () => (gone = true),
    () => (gone = true),
  );
  const d: DaemonProcess = {
    child,
    lines,
    other,
    stderr: () => err,
    url: '',
    exited,
    health: async () => {
      const r = await fetch(`${d.url}/healthz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    },
    metrics: async () => (await fetch(`${d.url}/metrics`)).text(),
    kill: () => {
      if (!gone) child.kill('SIGKILL');
    },
  };
  await until(() => gone || lines.some((l) => l.msg === 'daemon started'), 'the daemon announces its URL', 60_000, d);
  assert.ok(!gone, `the daemon exited at start: ${err}`);
  d.url = lines.find((l) => l.msg === 'daemon started')!.url as string;
  assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  return d;
}

/**
 * Logging with pino. Lines go to logs/csync.N.log (JSON, size-rotated by src/obs/log-file.ts: csync.1.log, csync.2.log, …) and to the console:
 * - on a TTY: short readable lines (warnings and errors unless --log-level asks for more);
 * - otherwise: JSON lines (journald, CI). One-shot commands write them to stderr so stdout stays for results
 *   (`csync status --json | jq` must work); the daemon writes them to stdout, as journald expects.
 * Every serialised line passes through `scrub` (src/obs/redact.ts): no secret reaches any sink.
 */
import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import { LogFile } from './log-file.js';
import { REDACT_PATHS, scrub } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LevelWithSilent | string;
  /** Folder for csync.log; undefined = no file. */
  logDir?: string | undefined;
  maxFileBytes?: number;
  maxFiles?: number;
  /** Console: 'auto' picks pretty on a TTY, JSON otherwise. */
  console?: 'auto' | 'pretty' | 'json' | 'none';
  /** Which stream carries console JSON lines. */
  consoleStream?: 'stdout' | 'stderr';
  /** The user asked for a level explicitly (then the TTY shows it; otherwise the TTY shows warn+). */
  explicitLevel?: boolean;
  quiet?: boolean;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A tiny pretty printer for TTYs: "warn  remote: message key=value". No colours when NO_COLOR is set. */
function prettyStream(out: NodeJS.WriteStream): Writable {
  const colour = out.isTTY && !process.env.NO_COLOR;
  const paint: Record<string, string> = { warn: '\x1b[33m', error: '\x1b[31m', fatal: '\x1b[31m', debug: '\x1b[2m', trace: '\x1b[2m' };
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        const rec = JSON.parse(chunk.toString()) as Record<string, unknown>;
        const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
        const { msg, module, level: _l, time: _t, pid: _p, hostname: _h, ...rest } = rec;
        const extras = Object.entries(rest)
          .filter(([, v]) => v !== undefined && typeof v !== 'object')
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ');
        const line = `${level.padEnd(5)} ${module ? `${String(module)}: ` : ''}${String(msg ?? '')}${extras ? ` ${extras}` : ''}`;
        out.write(colour && paint[level] ? `${paint[level]}${line}\x1b[0m\n` : `${line}\n`);
      } catch {
        out.write(chunk);
      }
      cb();
    },
  });
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const streams: pino.StreamEntry[] = [];
  const level = options.level as LevelWithSilent;
  if (options.logDir && level !== 'silent') {
    // Opened at its first line (src/obs/log-file.ts): a command that logs nothing at this level touches no file.
    const file = new LogFile({ dir: options.logDir, maxFileBytes: options.maxFileBytes ?? 10 * 1024 * 1024, maxFiles: options.maxFiles ?? 5 });
    streams.push({ level: level as pino.Level, stream: file });
  }
  const mode = options.console ?? 'auto';
  const target = options.consoleStream === 'stdout' ? process.stdout : process.stderr;
  if (mode !== 'none' && level !== 'silent') {
    const pretty = mode === 'pretty' || (mode === 'auto' && target.isTTY);
    let consoleLevel: pino.Level = level as pino.Level;
    // One-shot commands keep the console to warnings unless asked: their result is the summary, and the full
    // record is in logs/csync.log. The daemon (stdout for journald) logs at the configured level.
    if (!options.explicitLevel && (pretty || options.consoleStream !== 'stdout')) consoleLevel = 'warn';
    if (options.quiet) consoleLevel = 'error';
    streams.push({ level: consoleLevel, stream: pretty ? prettyStream(target) : pino.destination({ fd: target.fd, sync: true }) });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  const minLevel = streams.reduce((m, s) => Math.min(m, pino.levels.values[s.level as string] ?? 30), 100);
  return pino(
    {
      level: pino.levels.labels[minLevel] ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (s: string) => scrub(s) },
      serializers: { err: pino.stdSerializers.err },
    },
    pino.multistream(streams),
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

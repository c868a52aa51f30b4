/** The log file (src/obs/log-file.ts): opened at its first line, csync.N.log numbering, size rotation, never through a link. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogFile } from '../../src/obs/log-file.js';
import { createLogger } from '../../src/obs/logger.js';
import { registerSecret, clearSecrets } from '../../src/obs/redact.js';
import { tempDir } from '../helpers/cli.js';

const names = (dir: string) => readdirSync(dir).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));

test('nothing is created before the first line; the first line goes to csync.1.log', () => {
  const t = tempDir('csync-logfile-');
  try {
    const dir = join(t.dir, 'logs');
    const f = new LogFile({ dir, maxFileBytes: 1000, maxFiles: 5 });
    assert.equal(existsSync(dir), false);
    f.write('{"msg":"one"}\n');
    f.write('{"msg":"two"}\n');
    f.close();
    assert.deepEqual(readdirSync(dir), ['csync.1.log']);
    assert.equal(readFileSync(join(dir, 'csync.1.log'), 'utf8'), '{"msg":"one"}\n{"msg":"two"}\n');
  } finally {
    t.cleanup();
  }
});

test('a later run appends to the newest file; full files roll over to the next number and only maxFiles are kept', () => {
  const t = tempDir('csync-logfile-');
  try {
    const dir = join(t.dir, 'logs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'csync.1.log'), 'old 1\n');
    writeFileSync(join(dir, 'csync.2.log'), 'old 2\n');
    writeFileSync(join(dir, 'other.log'), 'not ours\n');
    const f = new LogFile({ dir, maxFileBytes: 40, maxFiles: 3 });
    f.write('line a\n');
    assert.equal(readFileSync(join(dir, 'csync.2.log'), 'utf8'), 'old 2\nline a\n', 'appended to the newest');
    // csync.2.log holds 13 bytes; each line is 9: it fills (>= 40) with lines 000-002, csync.3.log with 003-007.
    for (let i = 0; i < 12; i++) f.write(`line ${String(i).padStart(3, '0')}\n`);
    f.close();
    const left = names(dir).filter((n) => n.startsWith('csync.'));
    assert.deepEqual(left, ['csync.2.log', 'csync.3.log', 'csync.4.log'], 'the 3 newest are kept (csync.1.log removed)');
    assert.ok(existsSync(join(dir, 'other.log')), 'other files are left alone');
    assert.equal(readFileSync(join(dir, 'csync.2.log'), 'utf8'), 'old 2\nline a\nline 000\nline 001\nline 002\n');
    assert.equal(readFileSync(join(dir, 'csync.3.log'), 'utf8'), 'line 003\nline 004\nline 005\nline 006\nline 007\n');
    assert.equal(readFileSync(join(dir, 'csync.4.log'), 'utf8'), 'line 008\nline 009\nline 010\nline 011\n', 'the highest number holds the newest lines');
  } finally {
    t.cleanup();
  }
});

test('the log file is never written through a symbolic link', () => {
  const t = tempDir('csync-logfile-');
  try {
    const dir = join(t.dir, 'logs');
    mkdirSync(dir);
    const target = join(t.dir, 'elsewhere.txt');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, join(dir, 'csync.1.log'));
    const f = new LogFile({ dir, maxFileBytes: 1000, maxFiles: 5 });
    const said: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => said.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      f.write('{"msg":"x"}\n');
      f.write('{"msg":"y"}\n');
    } finally {
      process.stderr.write = write;
    }
    f.close();
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    assert.deepEqual(said, [`csync: warning: cannot write the log file in ${dir} (it is a symbolic link); no log file for this run\n`], 'said once');
  } finally {
    t.cleanup();
  }
});

test('the logger writes the file only for lines at its level, scrubbed', async () => {
  const t = tempDir('csync-logfile-');
  try {
    const logDir = join(t.dir, 'logs');
    registerSecret('sekret-token-1234');
    const logger = await createLogger({ level: 'info', logDir, console: 'none' });
    logger.debug({ module: 'test' }, 'not at the file level');
    assert.equal(existsSync(logDir), false, 'no line, no file');
    logger.info({ module: 'test', note: 'token sekret-token-1234' }, 'hello');
    const lines = readFileSync(join(logDir, 'csync.1.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.msg, 'hello');
    assert.equal(lines[0]!.note, 'token [REDACTED]');
  } finally {
    clearSecrets();
    t.cleanup();
  }
});

/**
 * The log file: JSON lines appended to `<dir>/csync.N.log`, size-rotated (csync.1.log first; the highest number is
 * the newest; the `maxFiles` newest are kept). Synchronous like the console sink (a line logged right before the
 * process exits is on disk), and opened at the first line: a command that logs nothing at the file's level (`status
 * --local` at the default level) touches no file and loads no rotation library (issue 18: a fast CLI).
 * Never writes through a symbolic link: the file is opened with O_NOFOLLOW and the folder is made by the caller.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LogFileOptions {
  /** The folder (created at the first line when missing). */
  dir: string;
  /** File names are `<base>.<N><ext>`. */
  base?: string;
  ext?: string;
  /** The next file starts once the current one holds this many bytes. */
  maxFileBytes: number;
  /** Rotated files kept (the current one included). */
  maxFiles: number;
}

const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export class LogFile {
  private fd: number | undefined;
  private number = 0;
  private size = 0;
  private readonly base: string;
  private readonly ext: string;
  /** Set after a write failed: the log file is given up on for the run (the console still shows warnings). */
  private broken = false;

  constructor(private readonly options: LogFileOptions) {
    this.base = options.base ?? 'csync';
    this.ext = options.ext ?? '.log';
  }

  /** The numbers of the log files now in the folder, lowest first. */
  numbers(): number[] {
    const pattern = new RegExp(`^${this.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)${this.ext.replace(/\./g, '\\.')}$`);
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      const m = pattern.exec(n);
      return m ? [Number(m[1])] : [];
    }).sort((a, b) => a - b);
  }

  write(line: string): boolean {
    if (this.broken) return true;
    try {
      if (this.fd === undefined) this.open(this.numbers().at(-1) ?? 1);
      const buf = Buffer.from(line);
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
      this.size += buf.length;
      if (this.size >= this.options.maxFileBytes) this.roll();
    } catch (err) {
      // A full disk or a folder made unwritable must not stop a sync: said once, the console sink still shows warnings.
      this.broken = true;
      this.close();
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const why = code === 'ELOOP' ? 'it is a symbolic link' : code;
      process.stderr.write(`csync: warning: cannot write the log file in ${this.options.dir} (${why}); no log file for this run\n`);
    }
    return true;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(n: number): void {
    mkdirSync(this.options.dir, { recursive: true });
    this.number = n;
    this.fd = openSync(join(this.options.dir, `${this.base}.${n}${this.ext}`), APPEND, 0o644);
    this.size = fstatSync(this.fd).size;
  }

  private roll(): void {
    this.close();
    this.open(this.number + 1);
    // Keep the newest maxFiles (the one just started included).
    for (const n of this.numbers()) {
      if (n > this.number - Math.max(1, this.options.maxFiles)) break;
      try {
        unlinkSync(join(this.options.dir, `${this.base}.${n}${this.ext}`));
      } catch {
        // Gone already (another csync process rotated too).
      }
    }
  }
}

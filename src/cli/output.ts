/**
 * What commands print. Results go to stdout (human text, or one JSON document with --json); notes and warnings go
 * to stderr; --quiet keeps only errors and results. Every string is scrubbed of secrets before it is written.
 */
import { scrub } from '../obs/redact.js';

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /** The command's result: `human` on a terminal, `data` as JSON with --json. */
  result(human: string | (() => string), data: unknown): void {
    if (this.json) this.stdout.write(scrub(JSON.stringify(data, null, 2)) + '\n');
    else {
      const text = typeof human === 'function' ? human() : human;
      if (text) this.stdout.write(scrub(text.endsWith('\n') ? text : text + '\n'));
    }
  }

  /** Human-only lines on stdout (suppressed by --json and --quiet). */
  line(text = ''): void {
    if (!this.json && !this.quiet) this.stdout.write(scrub(text) + '\n');
  }

  /** A note for the user on stderr (suppressed by --quiet). */
  note(text: string): void {
    if (!this.quiet) this.stderr.write(scrub(text) + '\n');
  }

  warn(text: string): void {
    this.stderr.write(scrub(`warning: ${text}`) + '\n');
  }

  error(text: string): void {
    this.stderr.write(scrub(text) + '\n');
  }
}

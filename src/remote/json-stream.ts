/**
 * Big JSON bodies without whole copies (BENCHMARKS.md, push-huge-page). A page's storage body is the one big value of
 * a create or update: `JSON.stringify` of the request and the Buffer made from it were two more copies of it, and
 * the answer (which holds the body again) was a Buffer, its text and the parsed string.
 *
 * - `jsonBody`: the bytes `JSON.stringify(value)` gives, written in pieces of about 16 Ki characters, with their
 *   length known before the first is written (Content-Length, as a buffered body has). Only for values holding a
 *   long string; others go as they always did.
 * - `LongStringDropper`: reads a JSON answer chunk by chunk and keeps it without its long string values (each one
 *   becomes `""`), so an answer that repeats the body just sent is never held whole.
 */
import { randomBytes } from 'node:crypto';

/** Strings at least this long (UTF-16 units) are written in pieces. */
export const LONG_STRING = 64 * 1024;
/** Units per piece: small enough that a piece (two bytes a unit at most, escapes aside) is not a large object to V8. */
const PIECE = 16 * 1024;

export interface JsonBody {
  /** Byte length of the whole body. */
  length: number;
  /**
   * The body in order, as strings (written to the socket as UTF-8 without a Buffer copy of each); every call starts
   * again from the first (a new attempt sends it again).
   */
  pieces: () => Generator<string>;
}

/**
 * `JSON.stringify(value)` as pieces (the same bytes), or undefined when the value holds no string of LONG_STRING
 * units or more (then one string is as cheap).
 */
export function jsonBody(value: unknown): JsonBody | undefined {
  const long: string[] = [];
  const nonce = randomBytes(9).toString('base64url');
  const token = (i: number) => `\u0000csync-long:${nonce}:${i}\u0000`;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'string' || v.length < LONG_STRING) return v;
    long.push(v);
    return token(long.length - 1);
  });
  if (long.length === 0 || text === undefined) return undefined;
  // The frame around the long strings: split at each placeholder, which must be found exactly once each, in order
  // (a short string of the value that happened to hold a placeholder falls back to the plain body).
  const frame: string[] = [];
  let at = 0;
  for (let i = 0; i < long.length; i++) {
    const mark = JSON.stringify(token(i));
    const found = text.indexOf(mark, at);
    if (found < 0 || text.indexOf(mark, found + mark.length) >= 0) return undefined;
    frame.push(text.slice(at, found));
    at = found + mark.length;
  }
  frame.push(text.slice(at));
  if (frame.some((f) => f.includes(`csync-long:${nonce}`))) return undefined;
  function* pieces(): Generator<string> {
    for (let i = 0; i < long.length; i++) {
      if (frame[i]) yield frame[i]!;
      yield* escapedPieces(long[i]!);
    }
    if (frame[long.length]) yield frame[long.length]!;
  }
  let length = 0;
  for (const f of frame) length += Buffer.byteLength(f, 'utf8');
  for (const s of long) for (const p of escapedPieces(s)) length += Buffer.byteLength(p, 'utf8');
  return { length, pieces };
}

/** `JSON.stringify(s)` in pieces of about PIECE units, a surrogate pair never split (so each piece escapes as the whole does). */
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

function* escapedPieces(s: string): Generator<string> {
  yield '"';
  for (let i = 0; i < s.length; ) {
    let end = Math.min(s.length, i + PIECE);
    // Split only between the halves of a pair (a high surrogate then a low one); a lone half escapes alike anywhere.
    if (end < s.length && isHigh(s.charCodeAt(end - 1)) && isLow(s.charCodeAt(end))) end++;
    const quoted = JSON.stringify(s.slice(i, end));
    yield quoted.slice(1, -1);
    i = end;
  }
  yield '"';
}

/**
 * A JSON text read chunk by chunk, kept without its string values (or keys) longer than `max` bytes: each of those
 * becomes `""` and is counted in `dropped`. What is kept is the same JSON otherwise, byte for byte. Not a validator:
 * a malformed text stays malformed (JSON.parse of `text()` says so).
 */
export class LongStringDropper {
  dropped = 0;
  private readonly kept: Buffer[] = [];
  private inString = false;
  private escaped = false;
  /** The string being read (its opening quote included), while it is not over `max`. */
  private current: Buffer[] = [];
  private currentBytes = 0;
  private dropping = false;

  constructor(private readonly max = LONG_STRING) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (!this.inString) {
        if (c === 0x22) {
          this.keep(chunk.subarray(start, i));
          this.inString = true;
          start = i;
        }
        continue;
      }
      if (this.escaped) this.escaped = false;
      else if (c === 0x5c) this.escaped = true;
      else if (c === 0x22) {
        this.take(chunk.subarray(start, i + 1));
        this.endString();
        start = i + 1;
      }
    }
    if (this.inString) this.take(chunk.subarray(start));
    else this.keep(chunk.subarray(start));
  }

  /** What was kept, as text. */
  text(): string {
    // An unterminated string at the end is kept as it came (the parse fails on it as it would have).
    if (this.inString && !this.dropping) for (const b of this.current) this.kept.push(b);
    return Buffer.concat(this.kept).toString('utf8');
  }

  private keep(b: Buffer): void {
    // Copied: a slice would hold the whole chunk (and the dropped string in it) alive.
    if (b.length) this.kept.push(Buffer.from(b));
  }

  private take(b: Buffer): void {
    if (this.dropping || !b.length) return;
    this.currentBytes += b.length;
    if (this.currentBytes > this.max + 2) {
      this.dropping = true;
      this.current = [];
      return;
    }
    this.current.push(Buffer.from(b));
  }

  private endString(): void {
    if (this.dropping) {
      this.kept.push(Buffer.from('""'));
      this.dropped++;
    } else for (const b of this.current) this.kept.push(b);
    this.inString = false;
    this.escaped = false;
    this.current = [];
    this.currentBytes = 0;
    this.dropping = false;
  }
}

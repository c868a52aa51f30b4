/** Plain-fetch helpers for the emulator's own tests: the requests and answers are the wire format itself. */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else undefined. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body (multipart etc.); sent as is with `headers`. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** 'basic' (default, the emulator's credentials), 'pat', 'none', or an explicit Authorization value. */
  auth?: 'basic' | 'pat' | 'none' | { authorization: string };
  redirect?: 'manual' | 'follow' | 'error';
}

export function basicAuth(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
}

/** A request to `emu.origin + path` (path includes /wiki for Cloud style). */
export async function call(emu: Emulator, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  const auth = opts.auth ?? 'basic';
  if (auth === 'basic') headers.Authorization = basicAuth(emu.credentials.email, emu.credentials.token);
  else if (auth === 'pat') headers.Authorization = `Bearer ${emu.credentials.pat}`;
  else if (auth !== 'none') headers.Authorization = auth.authorization;
  let body: string | Buffer | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${emu.origin}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), redirect: opts.redirect ?? 'manual' });
  const text = await res.text();
  let json: unknown;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, json, text };
}

/** Starts an emulator, runs fn, closes it. */
export async function withEmu<T>(options: EmulatorOptions, fn: (emu: Emulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

/** A multipart/form-data body built by hand (so the test shows the bytes). */
export function multipart(parts: Array<{ name: string; filename?: string; contentType?: string; data: string | Buffer }>): { body: Buffer; contentType: string } {
  const boundary = '----csyncTestBoundary7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The DEMO space id and a page id by title. */
export function demo(emu: Emulator) {
  const space = emu.api.space('DEMO');
  const page = (title: string) => {
    const p = emu.api.pageByTitle('DEMO', title);
    if (!p) throw new Error(`no demo page ${title}`);
    return p;
  };
  return { space, page };
}

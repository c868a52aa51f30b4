/** Small HTTP helpers for the emulator: replies, cursors, multipart parsing. */
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  /** Raw bytes (downloads); sent as is. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, ...(headers ? { headers } : {}) });

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ a: after })).toString('base64url');
}

export function decodeCursor(cursor: string | null): string | undefined | null {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    return typeof v.a === 'string' ? v.a : null;
  } catch {
    return null;
  }
}

export interface MultipartPart {
  name: string;
  filename?: string | undefined;
  contentType?: string | undefined;
  data: Buffer;
}

/** Parses a multipart/form-data body (the whole body is in memory: uploads are bounded by the server's limit). */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delim = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) return undefined;
  while (true) {
    pos += delim.length;
    if (body.slice(pos, pos + 2).toString() === '--') break;
    if (body.slice(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const headerText = body.slice(pos, headerEnd).toString('utf8');
    const next = body.indexOf(delim, headerEnd + 4);
    if (next < 0) return undefined;
    const data = body.slice(headerEnd + 4, next - 2); // strip the CRLF before the delimiter
    const disp = /content-disposition:[^\r\n]*/i.exec(headerText)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disp)?.[1];
    const filenameStar = /filename\*=(?:UTF-8'')?([^;\r\n]+)/i.exec(disp)?.[1];
    const filename = filenameStar ? decodeURIComponent(filenameStar) : /\bfilename="([^"]*)"/i.exec(disp)?.[1];
    const ct = /content-type:\s*([^\r\n]+)/i.exec(headerText)?.[1];
    if (name) parts.push({ name, filename, contentType: ct, data });
    pos = next;
  }
  return parts;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * v2 page bodies in other representations: `body-format` on reads (storage, atlas_doc_format, view, export_view,
 * styled_view, anonymous_export_view, editor) and the representation of a write (storage, atlas_doc_format, wiki),
 * converted through storage (representations.ts) instead of stored verbatim or answered empty.
 */
import { json, type Reply } from './http-util.js';
import { ConversionError, toStorage } from './representations.js';
import { v2Error } from './shapes.js';

/** The representation asked for with `body-format`, or false for none. */
export function bodyFormat(q: URLSearchParams): string | false {
  const f = q.get('body-format');
  return f ? f : false;
}

type WriteBody = { representation?: string; value?: unknown } & Record<string, unknown>;

/** The storage body of a v2 write: `{representation, value}` or `{<representation>: {representation, value}}`. */
export function writtenBody(body: WriteBody | undefined): string | Reply {
  if (!body) return '';
  let rep = body.representation;
  let value = body.value;
  if (rep === undefined) {
    const nested = Object.entries(body).find(([, v]) => v && typeof v === 'object') as [string, WriteBody] | undefined;
    if (!nested) return '';
    rep = nested[1].representation ?? nested[0];
    value = nested[1].value;
  }
  try {
    return toStorage(rep ?? 'storage', typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
  } catch (err) {
    if (err instanceof ConversionError) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', err.message));
    throw err;
  }
}

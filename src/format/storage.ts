/**
 * The `storage` format: the local file holds the page's storage XHTML exactly as Confluence returned it. Lossless by
 * construction; conversion is the identity. A body that is not well-formed XML passes through unchanged, with a
 * warning, so the user learns about it before Confluence rejects it.
 */
import type { ConvertContext, ConvertResult, Format } from './types.js';
import { tryParseStorage } from './xml/parse.js';

function identity(text: string, direction: string): ConvertResult {
  const parsed = tryParseStorage(text);
  return {
    text,
    warnings: parsed.ok ? [] : [`malformed storage (${direction}): ${parsed.error.message}; kept as is`],
  };
}

export const storageFormat: Format = {
  name: 'storage',
  extension: '.xhtml',
  toLocal(storage: string, _context: ConvertContext): ConvertResult {
    return identity(storage, 'pulled body');
  },
  toStorage(local: string, _context: ConvertContext): ConvertResult {
    return identity(local, 'local file');
  },
};

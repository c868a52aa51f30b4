/**
 * The `markdown` format: storage ⇄ Markdown (GFM), lossless. See docs/markdown.md for the mapping.
 *
 * Laws (tested): canonical(toStorage(toLocal(S))) = canonical(S) for any storage S, and
 * toLocal(toStorage(M)) = M for any Markdown M this converter wrote.
 */
import type { ConvertContext, ConvertResult, Format } from '../types.js';
import { storageToMarkdown } from './to-markdown.js';
import { markdownToStorage } from './markdown-to-storage.js';

export const markdownFormat: Format = {
  name: 'markdown',
  extension: '.md',
  toLocal(storage: string, context: ConvertContext): ConvertResult {
    return storageToMarkdown(storage, context);
  },
  toStorage(local: string, context: ConvertContext): ConvertResult {
    return markdownToStorage(local, context);
  },
};

export { storageToMarkdown, markdownToStorage };

/**
 * The `markdown` format: storage ⇄ Markdown (GFM), lossless. See docs/markdown.md for the mapping.
 *
 * Laws (tested): canonical(toStorage(toLocal(S))) = canonical(S) for any storage S, and
 * toLocal(toStorage(M)) = M for any Markdown M this converter wrote. Big pages convert piece by piece (chunked.ts).
 */
import type { ConvertContext, ConvertResult, Format } from '../types.js';
import { storageToMarkdown } from './to-markdown.js';
import { markdownToStorage } from './markdown-to-storage.js';
import { markdownToStorageChunked, restoreBaseAttrs, storageToMarkdownChunked, storageToMarkdownIfDiffers } from './chunked.js';

export const markdownFormat: Format = {
  name: 'markdown',
  extension: '.md',
  toLocal(storage: string, context: ConvertContext): ConvertResult {
    return storageToMarkdownChunked(storage, context);
  },
  toStorage(local: string, context: ConvertContext): ConvertResult {
    return markdownToStorageChunked(local, context);
  },
  restoreBaseAttrs(storage: string, base: string): string {
    return restoreBaseAttrs(storage, base);
  },
  toLocalIfDiffers(storage: string, local: string, context: ConvertContext): string | undefined {
    return storageToMarkdownIfDiffers(storage, local, context);
  },
};

export { storageToMarkdown, markdownToStorage };

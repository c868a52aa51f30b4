/**
 * The format registry: the engine and the config layer pick a page's Format by name.
 *
 * The Markdown converters (unified, remark, micromark: ~200 modules) load only when a conversion is really needed
 * (issue 18: a fast CLI; `csync status --local` converts nothing). `loadFormat` is what a command that converts
 * awaits; `getFormat` is synchronous and, before the converters are loaded, answers with a Format whose name and
 * extension are right and whose conversions throw (a program error: the caller forgot to await `loadFormat`).
 */
import { CsyncError } from '../core/errors.js';
import { storageFormat } from './storage.js';
import type { ConvertContext, ConvertResult, Format, FormatName } from './types.js';

export const FORMAT_NAMES: readonly FormatName[] = ['markdown', 'storage'];

/** The format new workspaces use unless configured otherwise. */
export const DEFAULT_FORMAT: FormatName = 'markdown';

/** The Markdown converters, once loaded. */
let markdownLoaded: Format | undefined;

function markdownConverters(): Format {
  if (!markdownLoaded) throw new Error('the Markdown converters are not loaded: await loadFormat("markdown") before converting');
  return markdownLoaded;
}

/** The Markdown format before its converters are loaded: each conversion asks for them (loaded by then, or a program error). */
const lazyMarkdown: Format = {
  name: 'markdown',
  extension: '.md',
  toLocal: (storage: string, context: ConvertContext): ConvertResult => markdownConverters().toLocal(storage, context),
  toStorage: (local: string, context: ConvertContext): ConvertResult => markdownConverters().toStorage(local, context),
  restoreBaseAttrs: (storage: string, base: string): string => markdownConverters().restoreBaseAttrs!(storage, base),
  toLocalIfDiffers: (storage: string, local: string, context: ConvertContext): string | undefined => markdownConverters().toLocalIfDiffers!(storage, local, context),
};

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

function unknownFormat(name: string): CsyncError {
  return new CsyncError('CSYNC_FORMAT', `unknown format '${String(name)}'`, {
    hint: `use one of: ${FORMAT_NAMES.join(', ')}`,
  });
}

/**
 * The format named `name` (synchronous). Its conversions work once `loadFormat(name)` has resolved; name and
 * extension always do (what scanning and status need).
 */
export function getFormat(name: FormatName): Format {
  if (!isFormatName(name)) throw unknownFormat(name);
  if (name === 'storage') return storageFormat;
  return markdownLoaded ?? lazyMarkdown;
}

/** The format named `name` with its converters loaded: what every command that converts a page awaits. */
export async function loadFormat(name: FormatName): Promise<Format> {
  if (!isFormatName(name)) throw unknownFormat(name);
  if (name === 'markdown' && !markdownLoaded) markdownLoaded = (await import('./markdown/index.js')).markdownFormat;
  return getFormat(name);
}

/** The format whose files end in `extension` (e.g. ".md"), if any (its conversions need `loadFormat`, see getFormat). */
export function formatForExtension(extension: string): Format | undefined {
  return FORMAT_NAMES.map(getFormat).find((f) => f.extension === extension.toLowerCase());
}

export { storageFormat };
export { canonicalStorage, canonicalStorageHash, storageEquals } from './xml/canonical.js';

/** The format registry: the engine and the config layer pick a page's Format by name. */
import { CsyncError } from '../core/errors.js';
import { markdownFormat } from './markdown/index.js';
import { storageFormat } from './storage.js';
import type { Format, FormatName } from './types.js';

export const FORMAT_NAMES: readonly FormatName[] = ['markdown', 'storage'];

/** The format new workspaces use unless configured otherwise. */
export const DEFAULT_FORMAT: FormatName = 'markdown';

const FORMATS: Record<FormatName, Format> = { markdown: markdownFormat, storage: storageFormat };

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

export function getFormat(name: FormatName): Format {
  const format = isFormatName(name) ? FORMATS[name] : undefined;
  if (!format) {
    throw new CsyncError('CSYNC_FORMAT', `unknown format '${String(name)}'`, {
      hint: `use one of: ${FORMAT_NAMES.join(', ')}`,
    });
  }
  return format;
}

/** The format whose files end in `extension` (e.g. ".md"), if any. */
export function formatForExtension(extension: string): Format | undefined {
  return Object.values(FORMATS).find((f) => f.extension === extension.toLowerCase());
}

export { markdownFormat, storageFormat };
export { canonicalStorage, storageEquals } from './xml/canonical.js';

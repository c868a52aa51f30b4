/** Conversion state shared by the functions of one conversion (never across conversions). */
import type { Definition } from 'mdast';
import type { ConvertContext, LinkResolver } from '../types.js';

export interface ToStorageState {
  context: ConvertContext;
  resolver: LinkResolver;
  /** Link reference definitions by normalised identifier. */
  definitions: Map<string, Definition>;
  /** The Markdown source, to keep constructs with no storage form as raw Markdown. */
  source: string;
  warnings: string[];
}

/**
 * Used when the engine supplies no resolver: no page is known (page links stay as they are) and an attachment's
 * path is its file name, so a page converted on its own still round-trips.
 */
export const DEFAULT_RESOLVER: LinkResolver = {
  pathForPage: () => undefined,
  pageForPath: () => undefined,
  pathForAttachment: (fileName) => fileName,
  attachmentForPath: (path) => (path !== '' && !path.includes('/') && !path.startsWith('#') ? path : undefined),
};

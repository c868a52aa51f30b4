/**
 * The format layer: converts between a page's storage body (Confluence XHTML) and the local file's body (the text
 * after the YAML front matter). Formats are pure: no I/O. Page links and attachment references go through a
 * resolver the engine supplies (backed by the state store), so the converter never touches the file system.
 */
export type FormatName = 'markdown' | 'storage';

export interface PageRef {
  spaceKey?: string | undefined;
  title: string;
}

export interface LinkResolver {
  /** Relative path (POSIX, from the current page's file) to the local file of a page, or undefined if unknown. */
  pathForPage(ref: PageRef): string | undefined;
  /** The page a relative path points to, or undefined when the path is not a known page file. */
  pageForPath(relativePath: string): PageRef | undefined;
  /** Relative path (POSIX, from the current page's file) to an attachment of the current page. */
  pathForAttachment(fileName: string): string;
  /** The attachment file name a relative path points to, or undefined when it is not an attachment of this page. */
  attachmentForPath(relativePath: string): string | undefined;
}

export interface ConvertContext {
  /** Space key of the page being converted. */
  spaceKey: string;
  /** Title of the page being converted. */
  title: string;
  resolver?: LinkResolver | undefined;
  /**
   * toStorage only: the storage of the synced base (what the server held when the file was last synced). Attributes
   * toLocal leaves out of the file (local ids, macro ids, …) are restored from it onto the unchanged and edited
   * blocks. Without it, new storage carries none of them (Confluence assigns them).
   */
  base?: string | undefined;
}

export interface ConvertResult {
  text: string;
  /** Human-readable warnings (e.g. "malformed storage: kept verbatim"). */
  warnings: string[];
}

export interface Format {
  readonly name: FormatName;
  /** File extension including the dot, e.g. ".md". */
  readonly extension: string;
  /** storage → local body. Must never throw on bad input: fall back to preserving it verbatim with a warning. */
  toLocal(storage: string, context: ConvertContext): ConvertResult;
  /** local body → storage. */
  toStorage(local: string, context: ConvertContext): ConvertResult;
  /**
   * `storage` (a body converted without a base) with what Confluence added to the base's blocks put back: what
   * converting with the base gives. Formats that keep storage as it is have none.
   */
  restoreBaseAttrs?(storage: string, base: string): string;
  /**
   * `toLocal(storage, context).text` when it differs from `local`, else undefined: what a push compares to normalise a
   * file, without holding the whole converted text when it is the same (a big page). Formats may leave it out.
   */
  toLocalIfDiffers?(storage: string, local: string, context: ConvertContext): string | undefined;
}

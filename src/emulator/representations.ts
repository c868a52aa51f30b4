/**
 * Body representations, as Confluence converts between them: what a write may send (storage, editor, wiki,
 * atlas_doc_format) becomes storage; what a read may ask for (storage, editor, view, export_view, styled_view,
 * atlas_doc_format) is made from storage. ADF ⇄ storage covers the common node set (adf.ts); wiki markup → storage
 * covers headings, paragraphs, emphasis, lists, code blocks, quotes, rules, links and tables. What cannot be
 * converted faithfully is refused with a ConversionError (the server answers 400 with its message).
 */
import { adfToStorage, ConversionError, storageToAdf } from './adf.js';
import { wikiToStorage } from './wiki.js';

export { ConversionError };

export const WRITE_REPRESENTATIONS = ['storage', 'editor', 'wiki', 'atlas_doc_format'] as const;

export function toStorage(representation: string, value: string): string {
  switch (representation) {
    case 'storage':
    case 'editor':
    case 'editor2':
      return value;
    case 'wiki':
      return wikiToStorage(value);
    case 'atlas_doc_format': {
      let doc: unknown;
      try {
        doc = typeof value === 'string' ? JSON.parse(value) : value;
      } catch {
        throw new ConversionError('Invalid ADF: the atlas_doc_format value is not JSON');
      }
      return adfToStorage(doc);
    }
    default:
      throw new ConversionError(`Unsupported representation for a write: ${representation} (use storage, editor, wiki or atlas_doc_format)`);
  }
}

/** A storage body rendered roughly as Confluence's view: macros become their HTML, ac:/ri: markup goes away. */
export function storageToView(storage: string): string {
  return storage
    .replace(/<ac:structured-macro\b[^>]*ac:name="code"[^>]*>[\s\S]*?<ac:plain-text-body><!\[CDATA\[([\s\S]*?)\]\]><\/ac:plain-text-body>[\s\S]*?<\/ac:structured-macro>/g, (_m, code: string) => `<pre>${code.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</pre>`)
    .replace(/<ac:structured-macro\b[^>]*ac:name="(info|note|warning|tip)"[^>]*>[\s\S]*?<ac:rich-text-body>([\s\S]*?)<\/ac:rich-text-body>[\s\S]*?<\/ac:structured-macro>/g, (_m, kind: string, inner: string) => `<div class="confluence-information-macro confluence-information-macro-${kind}">${inner}</div>`)
    .replace(/<ac:link\b[^>]*>[\s\S]*?<ri:page\b[^>]*ri:content-title="([^"]*)"[^>]*\/?>(?:<\/ri:page>)?[\s\S]*?<\/ac:link>/g, (_m, title: string) => `<a href="/display/${encodeURIComponent(title)}">${title}</a>`)
    .replace(/<\/?(?:ac|ri):[^>]*>/g, '');
}

export function fromStorage(representation: string, storage: string, flavour: 'cloud' | 'dc' = 'cloud'): string {
  switch (representation) {
    case 'storage':
    case 'editor':
    case 'editor2':
      return storage;
    case 'view':
    case 'export_view':
    case 'styled_view':
    case 'anonymous_export_view':
      return storageToView(storage);
    case 'atlas_doc_format':
      if (flavour === 'dc') throw new ConversionError('atlas_doc_format is not a representation of Confluence Data Center');
      return JSON.stringify(storageToAdf(storage));
    case 'wiki':
      throw new ConversionError('Cannot convert to wiki: Confluence converts wiki markup to storage, not back');
    default:
      throw new ConversionError(`Unknown representation: ${representation}`);
  }
}

/** POST contentbody/convert/{to}: from the body's representation to `to`, through storage. */
export function convert(from: string, to: string, value: string): string {
  if (from === to && from !== 'atlas_doc_format') return value;
  return fromStorage(to, toStorage(from, value));
}

/** Shared test helpers: a fake LinkResolver (a tiny state store) and the two laws as functions. */
import type { ConvertContext, LinkResolver, PageRef } from '../../src/format/types.js';
import { markdownFormat } from '../../src/format/markdown/index.js';
import { canonicalStorage } from '../../src/format/xml/canonical.js';

const PAGES: Array<{ ref: Required<PageRef>; path: string }> = [
  { ref: { spaceKey: 'DOC', title: 'Other Page' }, path: '../Other Page.md' },
  { ref: { spaceKey: 'DOC', title: 'Home' }, path: '../Home.md' },
  { ref: { spaceKey: 'ENG', title: 'Design' }, path: '../../ENG/Design.md' },
];

/** Resolver for page "Home" in space DOC: its file is DOC/Home.md, its attachments live in DOC/Home/. */
export const resolver: LinkResolver = {
  pathForPage: (ref) => PAGES.find((p) => p.ref.title === ref.title && p.ref.spaceKey === (ref.spaceKey ?? 'DOC'))?.path,
  pageForPath: (path) => PAGES.find((p) => p.path === path)?.ref,
  pathForAttachment: (name) => `Home/${name}`,
  attachmentForPath: (path) => (path.startsWith('Home/') ? path.slice('Home/'.length) : undefined),
};

export const ctx: ConvertContext = { spaceKey: 'DOC', title: 'Home', resolver };

export function toMd(storage: string, context: ConvertContext = ctx) {
  return markdownFormat.toLocal(storage, context);
}

export function toStorage(md: string, context: ConvertContext = ctx) {
  return markdownFormat.toStorage(md, context);
}

/**
 * Law 1: storage(markdown(S), base S) equals S as canonical XML (the base gives back the attributes the file leaves
 * out). Returns both sides for a readable assertion.
 */
export function law1(storage: string, context: ConvertContext = ctx): { expected: string; actual: string; markdown: string } {
  const md = toMd(storage, context).text;
  return { expected: canonicalStorage(storage), actual: canonicalStorage(toStorage(md, { ...context, base: storage }).text), markdown: md };
}

/** Law 2: for Markdown M the converter wrote, markdown(storage(M)) is M byte for byte. */
export function law2(markdown: string, context: ConvertContext = ctx): { expected: string; actual: string } {
  return { expected: markdown, actual: toMd(toStorage(markdown, context).text, context).text };
}

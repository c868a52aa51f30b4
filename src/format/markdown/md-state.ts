/** State of one storage → Markdown conversion. */
import type { RootContent } from 'mdast';
import type { XmlNode } from '../xml/nodes.js';
import type { ConvertContext, LinkResolver } from '../types.js';
import type { ToStorageState } from './state.js';

/** The storage a unit of Markdown stands for: its source span and its canonical form. */
export interface Origin {
  start: number;
  end: number;
  canonical: () => string;
}

export interface ToMarkdownState {
  /** The storage source: verbatim forms copy exact slices of it. */
  source: string;
  context: ConvertContext;
  resolver: LinkResolver;
  warnings: string[];
  /** State for converting candidate Markdown back, to check each block before trusting its clean form. */
  back: ToStorageState;
  /**
   * > 0 while converting the inside of a block that will itself be checked as a whole: inner blocks skip their own
   * check (the outer one covers them) unless the outer check fails and the block is converted again.
   */
  deferChecks: number;
  /** Where each top-level Markdown node came from (set only while converting the body itself). */
  origins?: Map<RootContent, Origin>;
  /** Converts nested flow content (injected to keep the modules free of import cycles). */
  blocksFrom(nodes: readonly XmlNode[], st: ToMarkdownState, tight?: boolean, parent?: string): RootContent[];
}

/**
 * The CommonMark conformance figure for the Markdown format: for each example of the CommonMark spec (0.31.2),
 * convert Markdown → storage → Markdown and render both with the reference renderer (commonmark.js). An example
 * passes when the HTML is identical. Used by the test (threshold) and by the benchmark report.
 */
import { createRequire } from 'node:module';
import * as commonmark from 'commonmark';
import { markdownFormat } from '../src/format/markdown/index.js';

interface SpecExample {
  markdown: string;
  html: string;
  section: string;
  number: number;
}

export interface CommonmarkReport {
  total: number;
  passed: number;
  percent: number;
  /** Failed example numbers by spec section. */
  failures: Record<string, number[]>;
}

export function specExamples(): SpecExample[] {
  const require = createRequire(import.meta.url);
  return (require('commonmark-spec') as { tests: SpecExample[] }).tests;
}

export function commonmarkReport(examples: SpecExample[] = specExamples()): CommonmarkReport {
  const reader = new commonmark.Parser();
  const writer = new commonmark.HtmlRenderer();
  const render = (md: string) => writer.render(reader.parse(md));
  const context = { spaceKey: 'DOC', title: 'Spec' };
  const failures: Record<string, number[]> = {};
  let passed = 0;
  for (const ex of examples) {
    const storage = markdownFormat.toStorage(ex.markdown, context).text;
    const back = markdownFormat.toLocal(storage, context).text;
    if (render(back) === render(ex.markdown)) passed++;
    else (failures[ex.section] ??= []).push(ex.number);
  }
  const total = examples.length;
  return { total, passed, percent: total ? (100 * passed) / total : 0, failures };
}

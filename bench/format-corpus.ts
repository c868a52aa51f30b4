/**
 * A deterministic corpus of realistic storage bodies (~5 KB each) mixing the constructs real pages use: headings,
 * paragraphs with formatting and links, lists, tables as Confluence Cloud writes them, code, info panels, tasks,
 * status macros, images and layouts, with the attributes the server adds.
 */
import type { ConvertContext, LinkResolver } from '../src/format/types.js';

/** The conversion context every format benchmark uses: a page "Home" in space DOC with one linked page and its attachments. */
const resolver: LinkResolver = {
  pathForPage: (ref) => (ref.title === 'Other Page' ? '../Other Page.md' : undefined),
  pageForPath: (p) => (p === '../Other Page.md' ? { spaceKey: 'DOC', title: 'Other Page' } : undefined),
  pathForAttachment: (f) => `Home/${f}`,
  attachmentForPath: (p) => (p.startsWith('Home/') ? p.slice(5) : undefined),
};
export const context: ConvertContext = { spaceKey: 'DOC', title: 'Home', resolver };

/**
 * CPU seconds (user + system) spent in `fn`: "per core" throughput, and stable when other processes compete for
 * the cores (wall time then measures the scheduler, not the converter). The work is single-threaded.
 */
export function cpuSeconds(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the sync engine pushes pages to Confluence while watching files and merging edits from both sides safely'.split(' ');

export function corpus(count: number, seed = 42, targetBytes = 5000): string[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const id = () => Math.floor(r() * 1e12).toString(16);
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const inline = () => {
    const parts = [words(6)];
    const k = r();
    if (k < 0.2) parts.push(`<strong>${words(2)}</strong>`);
    else if (k < 0.35) parts.push(`<em>${words(2)}</em>`);
    else if (k < 0.45) parts.push(`<code>${pick(WORDS)}()</code>`);
    else if (k < 0.55) parts.push(`<a href="https://example.com/${pick(WORDS)}">${words(2)}</a>`);
    else if (k < 0.65) parts.push(`<ac:link><ri:page ri:content-title="Other Page" ri:version-at-save="3"/><ac:plain-text-link-body><![CDATA[${words(2)}]]></ac:plain-text-link-body></ac:link>`);
    else if (k < 0.7) parts.push(`<ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="${id()}"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro>`);
    else if (k < 0.75) parts.push('<ac:emoticon ac:name="smile"/>');
    parts.push(`${words(5)} &amp; ${words(3)}&nbsp;&mdash; ${words(2)}.`);
    return parts.join(' ');
  };
  const blocks: Array<() => string> = [
    () => `<h2>${words(3)}</h2>`,
    () => `<p>${inline()}</p>`,
    () => `<p>${inline()}</p>`,
    () => `<ul><li><p>${inline()}</p></li><li><p>${words(4)}</p><ul><li><p>${words(3)}</p></li></ul></li></ul>`,
    () => `<ol start="2"><li>${words(4)}</li><li>${inline()}</li></ol>`,
    () => `<table data-layout="default" ac:local-id="${id()}"><colgroup><col style="width: 340.0px;"/><col style="width: 340.0px;"/></colgroup><tbody><tr><th><p><strong>${words(1)}</strong></p></th><th><p>${words(1)}</p></th></tr><tr><td><p>${words(3)}</p></td><td><p>${words(2)}</p></td></tr><tr><td><p>${words(2)}</p></td><td><p>${words(3)}</p></td></tr></tbody></table>`,
    () => `<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="${id()}"><ac:parameter ac:name="language">typescript</ac:parameter><ac:plain-text-body><![CDATA[const x = ${Math.floor(r() * 100)};\nif (x < 3 && y > 2) { run("${pick(WORDS)}"); }\n]]></ac:plain-text-body></ac:structured-macro>`,
    () => `<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="${id()}"><ac:parameter ac:name="title">${words(2)}</ac:parameter><ac:rich-text-body><p>${inline()}</p></ac:rich-text-body></ac:structured-macro>`,
    () => `<ac:task-list><ac:task><ac:task-id>${Math.floor(r() * 100)}</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>${words(4)}</ac:task-body></ac:task><ac:task><ac:task-id>${Math.floor(r() * 100) + 100}</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>${words(3)}</ac:task-body></ac:task></ac:task-list>`,
    () => `<p><ac:image ac:height="250" ac:local-id="${id()}"><ri:attachment ri:filename="${pick(WORDS)}.png" ri:version-at-save="1"/></ac:image></p>`,
    () => `<ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="${id()}"><ac:parameter ac:name="title">${words(2)}</ac:parameter><ac:rich-text-body><p>${inline()}</p></ac:rich-text-body></ac:structured-macro>`,
    () => `<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="${id()}"/>`,
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let body = '';
    const layout = r() < 0.3;
    while (body.length < targetBytes * (layout ? 0.9 : 1)) body += pick(blocks)();
    if (layout) {
      body = `<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell>${body}</ac:layout-cell><ac:layout-cell><p>${inline()}</p></ac:layout-cell></ac:layout-section></ac:layout>`;
    }
    out.push(body);
  }
  return out;
}

/** The whole-bundle outputs, rendered from the cache at the end of every run (no network). */
import { renderHtml } from './render-html.js';
import type { RenderContext } from './render-context.js';
import { renderJsonLines, renderMarkdownIndex, renderSingleMarkdown } from './render-text.js';

export async function renderWhole(ctx: RenderContext, warn?: (message: string) => void): Promise<number> {
  let bytes = 0;
  const f = ctx.spec.formats;
  if (f.includes('md')) bytes += ctx.spec.singleFile ? renderSingleMarkdown(ctx) : renderMarkdownIndex(ctx);
  if (f.includes('json')) bytes += renderJsonLines(ctx);
  if (f.includes('html')) bytes += renderHtml(ctx);
  if (f.includes('pdf')) {
    const { renderPdf } = await import('./render-pdf.js');
    bytes += await renderPdf(ctx, warn);
  }
  return bytes;
}

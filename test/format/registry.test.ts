import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FORMAT, FORMAT_NAMES, formatForExtension, getFormat, isFormatName, loadFormat } from '../../src/format/index.js';
import { CsyncError } from '../../src/core/errors.js';
import type { FormatName } from '../../src/format/types.js';

const ctx = { spaceKey: 'DOC', title: 'T' };

describe('format registry', () => {
  it('provides markdown (default) and storage', () => {
    assert.deepEqual([...FORMAT_NAMES], ['markdown', 'storage']);
    assert.equal(DEFAULT_FORMAT, 'markdown');
    assert.equal(getFormat('markdown').extension, '.md');
    assert.equal(getFormat('storage').extension, '.xhtml');
    assert.equal(getFormat('markdown').name, 'markdown');
    assert.equal(formatForExtension('.MD')?.name, 'markdown');
    assert.equal(formatForExtension('.xhtml')?.name, 'storage');
    assert.equal(formatForExtension('.txt'), undefined);
    assert.equal(isFormatName('storage'), true);
    assert.equal(isFormatName('html'), false);
  });

  it('rejects an unknown name with a CSYNC_FORMAT error', () => {
    assert.throws(() => getFormat('html' as FormatName), (err: unknown) => err instanceof CsyncError && err.code === 'CSYNC_FORMAT');
  });
});

describe('lazy Markdown converters', () => {
  it('convert once loadFormat has resolved, through the Format getFormat gave out before', async () => {
    const early = getFormat('markdown');
    const loaded = await loadFormat('markdown');
    assert.equal(loaded.name, 'markdown');
    assert.equal(early.toLocal('<p>Hello <strong>world</strong></p>', ctx).text, loaded.toLocal('<p>Hello <strong>world</strong></p>', ctx).text);
    assert.match(early.toLocal('<p>Hello <strong>world</strong></p>', ctx).text, /Hello \*\*world\*\*/);
    assert.match(getFormat('markdown').toStorage('Hello *you*\n', ctx).text, /<em>you<\/em>/);
  });

  it('loadFormat rejects an unknown name with a CSYNC_FORMAT error', async () => {
    await assert.rejects(loadFormat('html' as FormatName), (err: unknown) => err instanceof CsyncError && err.code === 'CSYNC_FORMAT');
  });
});

describe('storage format', () => {
  const storage = getFormat('storage');
  it('is the identity both ways, byte for byte', () => {
    const body = '<p b="2" a="1">x&nbsp;<ac:emoticon ac:name="smile" /></p>\n';
    assert.deepEqual(storage.toLocal(body, ctx), { text: body, warnings: [] });
    assert.deepEqual(storage.toStorage(body, ctx), { text: body, warnings: [] });
  });

  it('passes malformed bodies through with a warning', () => {
    const r = storage.toLocal('<p>x', ctx);
    assert.equal(r.text, '<p>x');
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0] as string, /malformed storage/);
    assert.equal(storage.toStorage('<p>x', ctx).warnings.length, 1);
  });
});

/** Body rewriting: what Confluence does to stored bodies, done deterministically and idempotently. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rewriteStorage } from '../../src/emulator/rewrite.js';
import { call, demo, withEmu } from './helpers.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}';

describe('rewriteStorage', () => {
  const cases: Array<[string, string, RegExp | string]> = [
    ['macro gains schema-version and macro-id', '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>x</p></ac:rich-text-body></ac:structured-macro>', new RegExp(`^<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="${UUID}"><ac:rich-text-body>`)],
    ['self-closing macro keeps its slash', '<ac:structured-macro ac:name="toc"/>', new RegExp(`^<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="${UUID}" />$`)],
    ['existing macro-id kept', '<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="keep-me"></ac:structured-macro>', '<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="keep-me"></ac:structured-macro>'],
    ['task list and task gain local ids', '<ac:task-list><ac:task><ac:task-id>1</ac:task-id></ac:task></ac:task-list>', new RegExp(`^<ac:task-list ac:local-id="${UUID}"><ac:task ac:local-id="${UUID}"><ac:task-id>1</ac:task-id></ac:task></ac:task-list>$`)],
    ['task-id and task-body are not tasks', '<ac:task-body>b</ac:task-body>', '<ac:task-body>b</ac:task-body>'],
    ['attachment refs gain version-at-save', '<ac:image><ri:attachment ri:filename="a.png"/></ac:image>', '<ac:image><ri:attachment ri:filename="a.png" ri:version-at-save="3" /></ac:image>'],
    ['self-closing tags become <x />', '<p>a<br/>b<br   />c<hr/></p><col width="1"/>', '<p>a<br />b<br />c<hr /></p><col width="1" />'],
    ['some entities become characters', '<p>a &mdash; b &ndash; c&hellip; &rsquo;&lsquo;&rdquo;&ldquo; &copy;&reg;&trade; &#39;</p>', "<p>a — b – c… ’‘”“ ©®™ '</p>"],
    ['other entities stay', '<p>&amp; &lt; &gt; &quot; &nbsp; &#160;</p>', '<p>&amp; &lt; &gt; &quot; &nbsp; &#160;</p>'],
    ['CDATA untouched', '<ac:plain-text-body><![CDATA[<br/> &mdash; <ac:structured-macro ac:name="x"/> <ri:attachment ri:filename="f"/>]]></ac:plain-text-body>', '<ac:plain-text-body><![CDATA[<br/> &mdash; <ac:structured-macro ac:name="x"/> <ri:attachment ri:filename="f"/>]]></ac:plain-text-body>'],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      const out = rewriteStorage(input, '123', 3);
      if (typeof expected === 'string') assert.equal(out, expected);
      else assert.match(out, expected);
      assert.equal(rewriteStorage(out, '123', 3), out, 'idempotent');
      assert.equal(rewriteStorage(out, '123', 4), out, 'idempotent at a later version too');
    });
  }

  test('ids are deterministic per page and position, distinct between macros', () => {
    const body = '<ac:structured-macro ac:name="info"></ac:structured-macro><ac:structured-macro ac:name="info"></ac:structured-macro>';
    const a = rewriteStorage(body, '1', 1);
    assert.equal(rewriteStorage(body, '1', 1), a);
    assert.notEqual(rewriteStorage(body, '2', 1), a);
    const ids = [...a.matchAll(/ac:macro-id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
  });

  test('every demo page body is a fixed point', async () => {
    await withEmu({}, async (emu) => {
      for (const p of emu.api.pages('DEMO')) assert.equal(rewriteStorage(p.body, p.id, p.version.number), p.body, p.title);
    });
  });
});

describe('over the API', () => {
  test('a stored body comes back rewritten; sending it back changes nothing', async () => {
    await withEmu({}, async (emu) => {
      const sent = '<p>x&mdash;y<br/></p><ac:structured-macro ac:name="note"><ac:rich-text-body><p>n</p></ac:rich-text-body></ac:structured-macro><ac:image><ri:attachment ri:filename="a.png"/></ac:image><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a<br/>&mdash;]]></ac:plain-text-body></ac:structured-macro>';
      const created = await call(emu, 'POST', '/wiki/api/v2/pages', { body: { spaceId: demo(emu).space.id, status: 'current', title: 'Rewritten', body: { representation: 'storage', value: sent } } });
      const stored: string = created.json.body.storage.value;
      assert.notEqual(stored, sent);
      assert.ok(stored.startsWith('<p>x—y<br /></p>'));
      assert.match(stored, /ri:version-at-save="1"/);
      assert.ok(stored.includes('<![CDATA[a<br/>&mdash;]]>'));
      assert.equal((stored.match(/ac:macro-id=/g) ?? []).length, 2);
      const put = await call(emu, 'PUT', `/wiki/api/v2/pages/${created.json.id}`, {
        body: { id: created.json.id, status: 'current', title: 'Rewritten', body: { representation: 'storage', value: stored }, version: { number: 2 } },
      });
      assert.equal(put.json.body.storage.value, stored, 'idempotent through the API');
      const put3 = await call(emu, 'PUT', `/wiki/api/v2/pages/${created.json.id}`, {
        body: { id: created.json.id, status: 'current', title: 'Rewritten', body: { representation: 'storage', value: sent }, version: { number: 3 } },
      });
      assert.match(put3.json.body.storage.value, /ri:version-at-save="3"/, 'a fresh reference is stamped with the version it was saved at');
    });
  });
});

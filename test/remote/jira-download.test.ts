/**
 * Jira attachment downloads: the URL chosen per flavour (credentials never leave the Jira site), and the bytes
 * streamed through the Jira transport from both emulator flavours, retried through a cut body.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { createJiraClient, type JiraFlavour } from '../../src/remote/jira/index.js';
import { attachmentUrl } from '../../src/remote/jira/download.js';

test('attachmentUrl: Cloud asks the API for the bytes (redirect=false); Data Center uses the content URL only on the Jira site', () => {
  const api3 = 'https://acme.atlassian.net/rest/api/3';
  assert.deepEqual(attachmentUrl(api3, 'https://acme.atlassian.net', true, { id: '10042', url: 'https://evil.example/x' }), { url: `${api3}/attachment/content/10042`, query: { redirect: 'false' } });
  const api2 = 'https://jira.example.com/jira/rest/api/2';
  const site = 'https://jira.example.com/jira';
  assert.deepEqual(attachmentUrl(api2, site, false, { id: '7', url: 'https://jira.example.com/jira/secure/attachment/7/a%20b.txt' }), { url: 'https://jira.example.com/jira/secure/attachment/7/a%20b.txt', query: {} });
  for (const other of ['https://cdn.example.com/jira/secure/attachment/7/x', 'https://jira.example.com/other/secure/attachment/7/x', 'http://jira.example.com/jira/secure/attachment/7/x', 'https://u:p@jira.example.com/jira/secure/attachment/7/x', 'not a url']) {
    assert.deepEqual(attachmentUrl(api2, site, false, { id: '7', url: other }), { url: `${api2}/attachment/content/7`, query: {} }, other);
  }
  assert.equal(attachmentUrl(api2, site, false, { id: 'a/../b' }).url, `${api2}/attachment/content/a%2F..%2Fb`);
});

test('downloads from Cloud and Data Center through the Jira transport; a cut body is retried, no temporary file is left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csync-jira-dl-'));
  try {
    for (const flavour of ['cloud', 'data-center'] as JiraFlavour[]) {
      const emu = await startEmulator({ seed: 'demo', flavour });
      const j = createJiraClient({
        baseUrl: emu.origin,
        flavour,
        auth: flavour === 'cloud' ? { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token } : { kind: 'bearer', token: emu.credentials.pat },
        rate: { requestsPerSecond: 2000, burst: 2000, maxConcurrent: 4 },
        retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 },
        timeouts: { connectMs: 2000, responseMs: 5000 },
        breaker: { failureThreshold: 50, halfOpenAfterMs: 1000 },
      });
      try {
        const six = (await (async () => {
          for await (const i of j.search('key = DEMO-6')) return i;
          return undefined;
        })())!;
        const png = six.attachments.find((a) => a.filename === 'rate-limits.png')!;
        const want = emu.jira.attachment(png.id)!.data;
        emu.scriptFaults([{ kind: 'truncated', method: 'GET', path: /\/attachment\/content\//, count: 1 }]);
        const dest = join(dir, flavour, 'file.png');
        const got = await j.downloadAttachment(png, dest);
        assert.deepEqual(readFileSync(dest), want, flavour);
        assert.deepEqual(got, { bytes: want.length, sha256: createHash('sha256').update(want).digest('hex') });
        assert.deepEqual(readdirSync(join(dir, flavour)), ['file.png'], 'no temporary file left');
        const routes = emu.requestLog().filter((r) => r.route.includes('/attachment/content/'));
        assert.equal(routes.length, 2, `${flavour}: the cut answer and its retry`);
        assert.ok(routes.every((r) => r.path.startsWith(flavour === 'cloud' ? '/rest/api/3/' : '/rest/api/2/')), flavour);
        assert.deepEqual(emu.invalidRequests(), []);
      } finally {
        await j.close();
        await emu.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

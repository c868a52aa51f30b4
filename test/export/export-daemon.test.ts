/**
 * The daemon keeps a named export fresh and serves it: a real `csync watch` process and the emulator. The onChange
 * definition is published at start, regenerated after a web edit (the emulator's admin API edits the page as another
 * user would), and `csync export --via` submits, follows, downloads, verifies and extracts it. The job API's errors
 * (404, 409, 415, 403 for a foreign Host) are JSON with a code and a message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { publishedVersions } from '../../src/daemon/exports.js';
import { verifyBundle } from '../../src/export/verify.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from '../watch/daemon.js';

const EXPORTS = [
  { name: 'live', select: { space: 'DEMO' }, format: ['md', 'json'], out: 'live.zip', onChange: true },
  { name: 'folder', select: { label: 'runbook' }, format: 'json', out: 'folder-bundle' },
];

type ApiError = { error: { code: string; message: string; runningJob?: string; currentJob?: string } };

async function api(d: DaemonProcess, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${d.url}${path}`, init);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const post = (d: DaemonProcess, name: string) => api(d, '/exports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });

test('the daemon regenerates an onChange export after a web edit; export --via downloads, verifies and extracts it; job API errors', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo', config: { exports: EXPORTS } });
  const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
  let d: DaemonProcess | undefined;
  try {
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '1'], env);
    const daemon = d;
    const zip = join(ws.dir, 'live.zip');
    // At start there is no bundle: the onChange definition is published once.
    await until(async () => (await publishedVersions(zip)) !== undefined, 'live.zip published at start', 90_000, d);
    const page = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
    const before = (await publishedVersions(zip))!;
    assert.equal(before.get(page.id), page.version.number);

    // A web edit (through the emulator's HTTP admin API, as another user): the next poll pulls it and the export follows.
    const edit = await fetch(`${ws.emu.origin}/__emulator/pages/${page.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: '<p>Edited on the web: zebra crossing.</p>' }),
    });
    const answer = await edit.text();
    assert.equal(edit.status, 200, answer);
    const edited = (JSON.parse(answer) as { version: number }).version;
    await until(async () => (await publishedVersions(zip))?.get(page.id) === edited, 'live.zip regenerated with the edited page', 60_000, d);
    assert.equal((await verifyBundle(zip)).ok, true, 'the published zip verifies');
    assert.deepEqual(readdirSync(ws.dir).filter((n) => n.includes('.csync-')), [], 'no staging file left once published');
    const regenerated = d.lines.filter((l) => l.module === 'exports' && l.name === 'live' && /published/.test(String(l.msg)));
    assert.deepEqual(regenerated.map((l) => l.why), ['start', 'change']);

    // The client: submit, poll, download, verify, extract; the zip kept too.
    const to = join(ws.dir, 'fetched');
    const via = await ws.csync(['export', '--via', d.url, 'live', '--to', to, '--out', join(ws.dir, 'kept.zip'), '--json']);
    assert.equal(via.code, 0, via.stdout + via.stderr);
    const r = JSON.parse(via.stdout) as { jobId: string; sha256: string; files: number; state: string };
    assert.equal(r.state, 'completed');
    assert.match(r.sha256, /^[0-9a-f]{64}$/);
    const lines = readFileSync(join(to, 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; version: number; markdown: string });
    assert.match(lines.find((l) => l.id === page.id)!.markdown, /zebra crossing/);
    assert.equal(lines.length, ws.emu.api.pages('DEMO').length, 'every page of the space');
    assert.equal((await verifyBundle(to)).ok, true);
    assert.equal((await verifyBundle(join(ws.dir, 'kept.zip'))).ok, true);

    // GET /exports/{id}: state, progress, ETA; the bundle endpoint's headers.
    const job = await api(d, `/exports/${r.jobId}`);
    assert.equal(job.status, 200);
    assert.equal(job.body.state, 'completed');
    assert.equal(job.body.name, 'live');
    assert.deepEqual(job.body.errors, []);
    const b = await fetch(`${d.url}/exports/${r.jobId}/bundle`);
    assert.equal(b.status, 200);
    assert.equal(b.headers.get('x-checksum-sha256'), r.sha256);
    assert.equal(b.headers.get('digest'), `sha-256=${Buffer.from(r.sha256, 'hex').toString('base64')}`);
    assert.equal(Number(b.headers.get('content-length')), (await b.arrayBuffer()).byteLength);

    // Errors: unknown definition 404, not JSON 415, unknown job 404, running 409, superseded 409.
    const unknown = await post(daemon, 'nosuch');
    assert.equal(unknown.status, 404);
    assert.match((unknown.body as ApiError).error.message, /no export definition named "nosuch"/);
    const form = await api(daemon, '/exports', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"name":"live"}' });
    assert.equal(form.status, 415);
    assert.equal((await api(daemon, '/exports/nosuchjob')).status, 404);
    const rebind = await new Promise<number>((res, rej) => {
      // fetch cannot set Host: a raw request, as a browser tricked by DNS rebinding would send it.
      const req = request(`${daemon.url}/exports`, { headers: { host: 'attacker.example' } }, (m) => {
        m.resume();
        res(m.statusCode ?? 0);
      });
      req.on('error', rej);
      req.end();
    });
    assert.equal(rebind, 403, 'a foreign Host header (DNS rebinding) is refused');
    const folder = await post(daemon, 'folder');
    assert.equal(folder.status, 202);
    const folderId = folder.body.id as string;
    await until(async () => (await api(daemon, `/exports/${folderId}`)).body.state === 'completed', 'the folder export finishes', 60_000, d);
    // A folder bundle is served as a zip made on the fly, with its length and checksum; it verifies.
    const folderBundle = await fetch(`${daemon.url}/exports/${folderId}/bundle`);
    assert.equal(folderBundle.status, 200);
    const folderZip = Buffer.from(await folderBundle.arrayBuffer());
    assert.equal(Number(folderBundle.headers.get('content-length')), folderZip.length);
    assert.equal(folderBundle.headers.get('x-checksum-sha256'), createHash('sha256').update(folderZip).digest('hex'));
    assert.match(folderBundle.headers.get('content-disposition') ?? '', /filename="folder-bundle\.zip"/);
    writeFileSync(join(ws.dir, 'folder-download.zip'), folderZip);
    const folderCheck = await verifyBundle(join(ws.dir, 'folder-download.zip'));
    assert.equal(folderCheck.ok, true, folderCheck.problems.join('; '));
    assert.equal(folderCheck.files, (await verifyBundle(join(ws.dir, 'folder-bundle'))).files);
    const again = await fetch(`${daemon.url}/exports/${folderId}/bundle`);
    assert.equal(again.headers.get('x-checksum-sha256'), folderBundle.headers.get('x-checksum-sha256'), 'the same folder zips to the same bytes');
    await again.arrayBuffer();
    assert.ok(existsSync(join(ws.dir, 'folder-bundle', 'pages.jsonl')));

    ws.emu.setLatency(400);
    const first = await post(daemon, 'live');
    assert.equal(first.status, 202);
    const twice = await post(daemon, 'live');
    assert.equal(twice.status, 409);
    assert.equal((twice.body as ApiError).error.runningJob, first.body.id);
    const early = await api(daemon, `/exports/${first.body.id as string}/bundle`);
    assert.equal(early.status, 409);
    assert.match((early.body as ApiError).error.message, /is (pending|running): no bundle to download/);
    ws.emu.setLatency(0);
    await until(async () => (await api(daemon, `/exports/${first.body.id as string}`)).body.state === 'completed', 'the second live export finishes', 60_000, d);
    const old = await api(daemon, `/exports/${r.jobId}/bundle`);
    assert.equal(old.status, 409);
    assert.equal((old.body as ApiError).error.currentJob, first.body.id);
    const list = await api(daemon, '/exports');
    const defs = list.body.definitions as Array<{ name: string; onChange: boolean; current: string | null }>;
    assert.deepEqual(defs.map((x) => [x.name, x.onChange, x.current]), [['live', true, first.body.id], ['folder', false, folderId]]);

    // SIGHUP: the re-read config's definitions take effect. A new `every` definition runs on its timer (not before);
    // a new onChange one is checked, so published, at once.
    const configFile = join(ws.dir, 'config', 'csync.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    const added = [
      { name: 'tick', select: { label: 'runbook' }, format: 'json', out: 'tick.zip', every: 5 },
      { name: 'fresh', select: { label: 'runbook' }, format: 'md', out: 'fresh.zip', onChange: true },
    ];
    writeFileSync(configFile, JSON.stringify({ ...config, exports: [...EXPORTS, ...added] }));
    const reloadedAt = Date.now();
    d.child.kill('SIGHUP');
    const publishedBy = (name: string) => daemon.lines.filter((l) => l.module === 'exports' && l.name === name && /published/.test(String(l.msg)));
    await until(() => publishedBy('fresh').length > 0, 'the onChange definition added by the reload is published', 60_000, d);
    assert.equal(publishedBy('fresh')[0]!.why, 'reload');
    await until(() => publishedBy('tick').length > 0, 'the every definition added by the reload runs on its timer', 60_000, d);
    assert.equal(publishedBy('tick')[0]!.why, 'schedule');
    assert.ok(Number(publishedBy('tick')[0]!.time ?? Date.now()) - reloadedAt >= 5000, 'not before its period');
    assert.equal((await verifyBundle(join(ws.dir, 'tick.zip'))).ok, true);
    const reloaded = (await api(daemon, '/exports')).body.definitions as Array<{ name: string; every: number | null }>;
    assert.deepEqual(reloaded.map((x) => [x.name, x.every]), [['live', null], ['folder', null], ['tick', 5], ['fresh', null]]);

    const remote = await ws.csync(['export', '--via', 'http://192.0.2.1:9464', 'live', '--to', join(ws.dir, 'x')]);
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /--via 192\.0\.2\.1:9464 is not a loopback address/);
  } finally {
    d?.kill();
    await ws.close();
  }
});

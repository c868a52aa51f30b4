import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOf, withPulledWorkspace } from '../helpers/workspace.js';

test('title collisions are refused before any write: a rename onto a taken title and two new files with one title; the rest is pushed', async () => {
  await withPulledWorkspace(async (ws) => {
    const arch = fileOf(ws, 'Architecture');
    const archPage = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const archVersion = archPage.version.number;
    writeFileSync(join(ws.dir, arch), readFileSync(join(ws.dir, arch), 'utf8').replace('title: Architecture', 'title: Installation'));
    const conf = fileOf(ws, 'Configuration');
    writeFileSync(join(ws.dir, conf), `${readFileSync(join(ws.dir, conf), 'utf8')}\nAn unrelated edit.\n`);
    const dirA = join(ws.dir, arch.replace(/\.md$/, ''));
    mkdirSync(dirA, { recursive: true });
    writeFileSync(join(dirA, 'Notes.md'), '# notes one\n');
    const dirB = join(ws.dir, conf.replace(/\.md$/, ''));
    mkdirSync(dirB, { recursive: true });
    writeFileSync(join(dirB, 'Notes.md'), '# notes two\n');
    ws.emu.resetLog();

    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`warning: ${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its title is also the title of .*Installation\\.md; titles are unique in a space; not pushed`));
    assert.equal((r.stdout.match(/Notes\.md: its title is also the title of .*Notes\.md/g) ?? []).length, 2);
    assert.equal(ws.emu.api.page(archPage.id).version.number, archVersion, 'the colliding rename was not sent');
    assert.equal(ws.emu.api.pageByTitle('DEMO', 'Notes'), undefined, 'neither new file was created');
    assert.match(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', 'Configuration')!.id), /An unrelated edit\./);
    const puts = ws.emu.requestLog().filter((x) => x.method === 'PUT' || x.method === 'POST');
    assert.equal(puts.length, 1, 'one write: the unrelated edit');
  });
});

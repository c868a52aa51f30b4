/**
 * The admin endpoints, under /__emulator (no auth, never rate limited or faulted, not in the request log):
 *   GET  /__emulator/requests            request log and counts by endpoint
 *   GET  /__emulator/invalid             requests that failed OpenAPI validation
 *   POST /__emulator/reset-log
 *   POST /__emulator/faults              {probability?, kinds?, script?: ScriptedFault[], clear?: true}
 *   POST /__emulator/pages               {space, title, body, parentId?}                   → page (as another user)
 *   PUT  /__emulator/pages/{id}          {body?, title?, parentId?}                          → page (as another user)
 *   DELETE /__emulator/pages/{id}        trash the page
 *   POST /__emulator/pages/{id}/attachments?name=F  raw bytes body                          → attachment
 *   GET  /__emulator/pages?space=KEY     current pages (id, title, parentId, version)
 */
import type { IncomingMessage } from 'node:http';
import type { EmulatorApi } from './api.js';
import type { FaultKind, ScriptedFault } from './faults.js';
import { json, type Reply } from './http-util.js';
import type { ServerState } from './server.js';

export function createAdmin(state: ServerState, api: EmulatorApi) {
  return async (req: IncomingMessage, rest: string, body: Buffer): Promise<Reply> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://x');
    const parse = () => (body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {});
    let m: RegExpExecArray | null;
    try {
      if (method === 'GET' && rest === '/requests') {
        const counts: Record<string, number> = {};
        for (const r of state.log) counts[`${r.method} ${r.route}`] = (counts[`${r.method} ${r.route}`] ?? 0) + 1;
        return json(200, { total: state.log.length, counts, log: state.log.slice(-1000) });
      }
      if (method === 'GET' && rest === '/invalid') return json(200, { invalid: state.invalid });
      if (method === 'POST' && rest === '/reset-log') {
        state.log.length = 0;
        state.invalid.length = 0;
        return { status: 204 };
      }
      if (method === 'POST' && rest === '/faults') {
        const b = parse() as { probability?: number; kinds?: FaultKind[]; script?: ScriptedFault[]; clear?: boolean };
        if (b.clear) state.faults.clear();
        if (b.probability !== undefined || b.kinds) state.faults.set({ ...(b.probability !== undefined ? { probability: b.probability } : {}), ...(b.kinds ? { kinds: b.kinds } : {}) });
        if (b.script) state.faults.add(b.script);
        return json(200, { probability: state.faults.settings.probability, pending: state.faults.pending() });
      }
      if (method === 'GET' && rest === '/pages') {
        const pages = api.pages(url.searchParams.get('space') ?? 'DEMO').map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, version: p.version.number }));
        return json(200, { pages });
      }
      if (method === 'POST' && rest === '/pages') {
        const b = parse() as { space: string; title: string; body: string; parentId?: string };
        const p = api.createPage(b.space, b.title, b.body ?? '', b.parentId);
        return json(200, { id: p.id, version: p.version.number });
      }
      if ((m = /^\/pages\/(\d+)$/.exec(rest))) {
        if (method === 'PUT') {
          const b = parse() as { body?: string; title?: string; parentId?: string };
          const p = api.editPage(m[1]!, b);
          return json(200, { id: p.id, version: p.version.number });
        }
        if (method === 'DELETE') {
          api.deletePage(m[1]!);
          return { status: 204 };
        }
      }
      if (method === 'POST' && (m = /^\/pages\/(\d+)\/attachments$/.exec(rest))) {
        const a = api.addAttachment(m[1]!, url.searchParams.get('name') ?? 'file.bin', body, req.headers['content-type'] ?? 'application/octet-stream');
        return json(200, { id: a.id, version: a.version });
      }
      return json(404, { message: `no admin endpoint ${method} ${rest}` });
    } catch (err) {
      return json(400, { message: (err as Error).message });
    }
  };
}

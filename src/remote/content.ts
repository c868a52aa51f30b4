/**
 * Labels, CQL search and long tasks. Labels are read with v2 and written with v1 (v2 cannot add labels).
 */
import { z } from 'zod';
import type { CqlResult, RemotePage } from '../core/remote-types.js';
import { MAX_LIMIT, paginate } from './paginate.js';
import { jsonOf, longTask, multi, toCqlResult, toLongTask, toRemotePage, v1SearchPage, v2Label, v2Page, type LongTaskStatus } from './schemas.js';
import type { Transport } from './transport.js';

const enc = encodeURIComponent;

export async function getLabels(t: Transport, pageId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const l of paginate(t, { op: 'labels.get', method: 'GET', url: `${t.site.v2}/pages/${enc(pageId)}/labels`, query: { limit: MAX_LIMIT }, idempotent: true }, multi(v2Label))) {
    names.push(l.name);
  }
  return names;
}

/** Adding a label that is already there changes nothing, so this is safe to resend. */
export async function addLabels(t: Transport, pageId: string, labels: readonly string[]): Promise<void> {
  if (labels.length === 0) return;
  await t.send(
    { op: 'labels.add', method: 'POST', url: `${t.site.v1}/content/${enc(pageId)}/label`, json: labels.map((name) => ({ prefix: 'global', name })), idempotent: true },
    { parse: () => undefined },
  );
}

export async function removeLabel(t: Transport, pageId: string, label: string): Promise<void> {
  // The query form (?name=) also works for labels the path form cannot carry.
  await t.send(
    { op: 'labels.remove', method: 'DELETE', url: `${t.site.v1}/content/${enc(pageId)}/label`, query: { name: label }, idempotent: true, notFoundMeansDone: true },
    { parse: () => undefined },
  );
}

/**
 * Labels of every page in a space: the space's labels (v2 /spaces/{id}/content/labels), then for each label the
 * pages that carry it (v2 /labels/{id}/pages?space-id=). Costs ceil(L/250) + Σ ceil(pages per label/250) requests,
 * which for a typical space (few labels) is far below one request per page.
 */
/** Whole pages from the label listings, for a caller that selects by label (the export). */
export interface SpaceLabelPages {
  /** Labels whose pages are wanted: each of their pages is given to onPage (once per label it carries). */
  labels: readonly string[];
  /** With storage bodies (`body-format=storage` on those labels' listings). */
  bodies: boolean;
  onPage(page: RemotePage): void;
}

export async function listSpaceLabels(t: Transport, spaceId: string, pagesOf?: SpaceLabelPages): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const labels: { id: string; name: string }[] = [];
  for await (const l of paginate(t, { op: 'labels.listSpace', method: 'GET', url: `${t.site.v2}/spaces/${enc(spaceId)}/content/labels`, query: { limit: MAX_LIMIT }, idempotent: true }, multi(v2Label))) {
    labels.push({ id: l.id, name: l.name });
  }
  for (const label of labels) {
    const whole = pagesOf?.labels.includes(label.name) === true;
    const query = { 'space-id': [spaceId], limit: MAX_LIMIT, 'body-format': whole && pagesOf?.bodies ? 'storage' : undefined };
    for await (const p of paginate(t, { op: 'labels.pages', method: 'GET', url: `${t.site.v2}/labels/${enc(label.id)}/pages`, query, idempotent: true }, multi(v2Page))) {
      if (p.spaceId !== spaceId) continue;
      if (whole) pagesOf!.onPage(toRemotePage(p));
      const list = out.get(p.id);
      if (list) {
        if (!list.includes(label.name)) list.push(label.name);
      } else out.set(p.id, [label.name]);
    }
  }
  return out;
}

export async function* searchCql(t: Transport, cql: string, options?: { limit?: number; expand?: string }): AsyncGenerator<CqlResult> {
  const query = { cql, limit: Math.max(1, Math.min(MAX_LIMIT, options?.limit ?? MAX_LIMIT)), expand: options?.expand ?? 'space,version' };
  for await (const r of paginate(t, { op: 'search.cql', method: 'GET', url: `${t.site.v1}/content/search`, query, idempotent: true }, v1SearchPage)) {
    yield toCqlResult(r);
  }
}

export async function getLongTask(t: Transport, id: string): Promise<LongTaskStatus> {
  const task = await t.send({ op: 'longtask.get', method: 'GET', url: `${t.site.v1}/longtask/${enc(id)}`, idempotent: true }, { parse: jsonOf(longTask) });
  return toLongTask(task);
}

export interface CurrentUser {
  type: string;
  accountId: string | undefined;
  displayName: string | undefined;
  email: string | undefined;
}

const currentUser = z.object({
  type: z.string().optional(),
  accountId: z.string().nullish(),
  displayName: z.string().nullish(),
  publicName: z.string().nullish(),
  email: z.string().nullish(),
  username: z.string().nullish(),
});

/** Who the credentials belong to (v1 /user/current). Data Center may answer "anonymous" for a bad PAT. */
export async function getCurrentUser(t: Transport): Promise<CurrentUser> {
  const u = await t.send({ op: 'user.current', method: 'GET', url: `${t.site.v1}/user/current`, idempotent: true }, { parse: jsonOf(currentUser) });
  return { type: u.type ?? 'known', accountId: u.accountId ?? undefined, displayName: u.displayName ?? u.publicName ?? u.username ?? undefined, email: u.email ?? undefined };
}

const operations = z.object({ operations: z.array(z.object({ operation: z.string(), targetType: z.string().optional() })) });

/** What the current user may do in a space (v2 /spaces/{id}/operations), e.g. "create page". */
export async function getSpaceOperations(t: Transport, spaceId: string): Promise<Array<{ operation: string; targetType: string | undefined }>> {
  const r = await t.send({ op: 'spaces.operations', method: 'GET', url: `${t.site.v2}/spaces/${enc(spaceId)}/operations`, idempotent: true }, { parse: jsonOf(operations) });
  return r.operations.map((o) => ({ operation: o.operation, targetType: o.targetType }));
}

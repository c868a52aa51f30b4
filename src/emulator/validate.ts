/**
 * Request validation against Atlassian's OpenAPI documents (copies in src/emulator/spec/): the operation exists,
 * path parameters have their declared type, query parameters are declared and valid (types, enums, limits), required
 * ones are present, a JSON body matches the request schema, required multipart fields are there. Schemas are
 * compiled once per operation on first use, so start-up stays fast.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}

const SPEC_DIR = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/emulator has no spec folder of its own: the JSON files stay in src/emulator/spec.
  for (const dir of [join(here, 'spec'), join(here, '..', '..', 'src', 'emulator', 'spec')]) {
    try {
      readFileSync(join(dir, 'SOURCE.md'));
      return dir;
    } catch {
      // try the next
    }
  }
  return join(here, 'spec');
})();

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a type union; refs point into the named document. */
export function convert(node: unknown, docId: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, docId));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = `${docId}${v}`;
    // The v2 page body is a oneOf of two schemas every object matches; the server reads it as anyOf.
    else if (k === 'oneOf') out.anyOf = convert(v, docId);
    else if (['nullable', 'example', 'discriminator', 'xml', 'externalDocs', 'deprecated', 'readOnly', 'writeOnly'].includes(k)) continue;
    else out[k] = convert(v, docId);
  }
  if ((node as Json).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (!out.type) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

interface Operation {
  doc: Doc;
  template: string;
  re: RegExp;
  names: string[];
  method: string;
  op: Json;
  params: Param[];
  compiled: Map<string, ValidateFunction>;
}

/** The official documents, and the emulator's own supplementary one for the deprecated v1 content routes. */
export type DocId = 'v1' | 'v2' | 'v1-legacy' | 'jira';
/** Loaded at start; the Jira document (2.4 MB) is loaded on the first Jira request. */
const DOC_IDS: readonly DocId[] = ['v1', 'v2', 'v1-legacy'];
const FILE_OF: Record<DocId, string> = { v1: 'confluence-v1.openapi.json', v2: 'confluence-v2.openapi.json', 'v1-legacy': 'confluence-v1-legacy.openapi.json', jira: 'jira-v3.openapi.json' };

interface Doc {
  id: DocId;
  spec: Json;
}

export interface ValidationInput {
  method: string;
  /** Path relative to the API root: v2 "/pages/1", v1 "/wiki/rest/api/content/1". */
  apiPath: string;
  api: DocId;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  contentType?: string | undefined;
  jsonBody?: unknown;
  multipartFields?: string[];
}

export class SpecValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  private readonly ops = new Map<DocId, Operation[]>();

  constructor() {
    for (const id of DOC_IDS) this.load(id);
  }

  private load(id: DocId): Operation[] {
    {
      const spec = JSON.parse(readFileSync(join(SPEC_DIR, FILE_OF[id]), 'utf8')) as Json;
      const doc: Doc = { id, spec };
      this.ajv.addSchema(convert({ components: spec.components }, id) as Json, id);
      const list: Operation[] = [];
      for (const [template, item] of Object.entries(spec.paths as Json)) {
        const names: string[] = [];
        const re = new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, n: string) => {
            names.push(n);
            return '([^/]+)';
          })}$`,
        );
        for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
          const op = (item as Json)[method] as Json | undefined;
          if (!op) continue;
          const params = [...(((item as Json).parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map((p) => this.resolveParam(doc, p));
          list.push({ doc, template, re, names, method: method.toUpperCase(), op, params, compiled: new Map() });
        }
      }
      // Literal paths before templated ones (/pages/{id}/labels must not match a /pages/{id} of a longer path).
      list.sort((a, b) => a.names.length - b.names.length);
      this.ops.set(id, list);
      return list;
    }
  }

  private resolveParam(doc: Doc, p: Json): Param {
    if (typeof p.$ref === 'string') return ((doc.spec.components as Json).parameters as Json)[p.$ref.split('/').pop() ?? ''] as Param;
    return p as unknown as Param;
  }

  private compile(op: Operation, key: string, schema: unknown): ValidateFunction {
    let fn = op.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(convert(schema, op.doc.id) as Json);
      op.compiled.set(key, fn);
    }
    return fn;
  }

  private check(op: Operation, key: string, schema: unknown, value: unknown): string | undefined {
    const fn = this.compile(op, key, schema);
    if (fn(value)) return undefined;
    const e = fn.errors?.[0];
    const allowed = e?.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : '';
    return `${e?.instancePath || ''} ${e?.message ?? 'invalid'}${allowed}`.trim();
  }

  private coerce(schema: Json | undefined, raw: string): unknown {
    const type = schema?.type;
    if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    return raw;
  }

  /** Whether the operation exists in the spec (for 404 vs 405 decisions). */
  find(api: DocId, method: string, apiPath: string): { op: Operation; match: RegExpExecArray } | undefined {
    for (const op of this.ops.get(api) ?? this.load(api)) {
      if (op.method !== method) continue;
      const m = op.re.exec(apiPath);
      if (m) return { op, match: m };
    }
    return undefined;
  }

  /** Problems with the request (empty = valid). */
  validate(req: ValidationInput): string[] {
    const found = this.find(req.api, req.method, req.apiPath);
    if (!found) return [`${req.method} ${req.apiPath} is not an operation of the ${req.api} API`];
    const { op, match } = found;
    const problems: string[] = [];
    op.names.forEach((n, i) => {
      const p = op.params.find((x) => x.in === 'path' && x.name === n);
      const value = decodeURIComponent(match[i + 1] ?? '');
      if (p?.schema) {
        const err = this.check(op, `path:${n}`, p.schema, this.coerce(p.schema, value));
        if (err) problems.push(`path parameter '${n}' = '${value}': ${err}`);
      }
    });
    for (const key of new Set(req.query.keys())) {
      const p = op.params.find((x) => x.in === 'query' && x.name === key);
      if (!p) {
        problems.push(`query parameter '${key}' is not allowed here`);
        continue;
      }
      const values = req.query.getAll(key);
      const schema = p.schema ?? {};
      const value = schema.type === 'array' ? values.flatMap((v) => v.split(',')).map((v) => this.coerce(schema.items as Json, v)) : this.coerce(schema, values[0] ?? '');
      const err = this.check(op, `query:${key}`, schema, value);
      if (err) problems.push(`query parameter '${key}': ${err}`);
    }
    for (const p of op.params) {
      if (!p.required) continue;
      if (p.in === 'query' && !req.query.has(p.name)) problems.push(`query parameter '${p.name}' is required`);
      if (p.in === 'header' && req.headers[p.name.toLowerCase()] === undefined) problems.push(`header '${p.name}' is required`);
    }
    const rb = op.op.requestBody as Json | undefined;
    const body = rb && typeof rb.$ref === 'string' ? (((op.doc.spec.components as Json).requestBodies as Json)[rb.$ref.split('/').pop() ?? ''] as Json) : rb;
    if (body) {
      const content = (body.content as Json) ?? {};
      if (req.jsonBody !== undefined) {
        const media = content['application/json'] as Json | undefined;
        if (!media) problems.push('a JSON body is not accepted here');
        else {
          const err = this.check(op, 'body', media.schema, req.jsonBody);
          if (err) problems.push(`body ${err}`);
        }
      } else if (req.multipartFields) {
        const media = content['multipart/form-data'] as Json | undefined;
        const required = ((media?.schema as Json | undefined)?.required as string[] | undefined) ?? [];
        for (const r of required) if (!req.multipartFields.includes(r)) problems.push(`multipart field '${r}' is required`);
      } else if (body.required) problems.push('a request body is required');
    }
    return problems;
  }
}

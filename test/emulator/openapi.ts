/**
 * A small response validator for the emulator's own tests: the JSON of an answer against the 200 response schema
 * the official v2 OpenAPI document declares (converted with the emulator's `convert`; formats checked).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { convert } from '../../src/emulator/validate.js';

type Json = Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const spec = JSON.parse(readFileSync(new URL('../../src/emulator/spec/confluence-v2.openapi.json', import.meta.url), 'utf8')) as Json;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(convert({ components: spec.components }, 'v2') as Json, 'v2');
const compiled = new Map<string, ValidateFunction>();

/** Problems of `body` against the response schema of `method template` for `status` (empty = valid). */
export function responseProblems(method: string, template: string, status: number, body: unknown): string[] {
  const key = `${method} ${template} ${status}`;
  let fn = compiled.get(key);
  if (!fn) {
    const op = ((spec.paths as Json)[template] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    const schema = (((op?.responses as Json | undefined)?.[String(status)] as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
    if (!schema?.schema) throw new Error(`the v2 document declares no JSON ${status} answer for ${key}`);
    fn = ajv.compile(convert(schema.schema, 'v2') as Json);
    compiled.set(key, fn);
  }
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`.trim());
}

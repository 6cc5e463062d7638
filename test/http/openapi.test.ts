/**
 * The OpenAPI document is generated from the routes' declarations (route(), src/http/route.ts) and is
 * a valid OpenAPI 3 document; every operation has a unique operationId, says its security, and documents
 * its problems (RFC 9457) beside its success answers.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../harness.js';

let h: Harness;
let doc: OpenAPIV3.Document;
beforeAll(async () => {
  h = await createHarness({ registryCount: 5 });
  const res = await h.server.inject({ method: 'GET', url: '/api/openapi.json' });
  doc = res.json<OpenAPIV3.Document>();
});
afterAll(() => h.stop());

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
function operations() {
  const out: { method: string; path: string; op: OpenAPIV3.OperationObject }[] = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const m of METHODS) {
      const op = item?.[m];
      if (op) out.push({ method: m, path, op });
    }
  return out;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3 (swagger-parser)', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('every operation has a unique operationId, a summary and tags', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    const missing = ops.filter((o) => !o.op.operationId || !o.op.summary || !o.op.tags?.length).map((o) => `${o.method} ${o.path}`);
    expect(missing).toEqual([]);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('every operation says its security: the session cookie (a user’s, or an agent’s under /operateur), and the CSRF token on changes', () => {
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    expect(schemes.sort()).toEqual(['agentSession', 'csrf', 'session']);
    const agentOnly = operations()
      .filter(({ op }) => (op.security ?? []).some((r) => 'agentSession' in r))
      .map((o) => o.path);
    expect(agentOnly.length).toBeGreaterThan(0);
    expect(agentOnly.filter((p) => !p.startsWith('/operateur/') && p !== '/operateur')).toEqual([]);
    const wrong = operations()
      .filter(({ method, op }) => {
        if (!Array.isArray(op.security)) return true;
        const names = op.security.flatMap((r) => Object.keys(r));
        return method !== 'get' && !names.includes('csrf');
      })
      .map((o) => `${o.method} ${o.path}`);
    expect(wrong).toEqual([]);
  });

  it('every operation documents its problems as application/problem+json, 429 and 503 included', () => {
    const wrong: string[] = [];
    for (const { method, path, op } of operations()) {
      const statuses = Object.keys(op.responses);
      if (!statuses.includes('429') || !statuses.includes('503')) wrong.push(`${method} ${path}: no 429/503`);
      const schemes = (op.security ?? []).flatMap((r) => Object.keys(r));
      if ((schemes.includes('session') || schemes.includes('agentSession')) && !(statuses.includes('401') && statuses.includes('403')))
        wrong.push(`${method} ${path}: no 401/403`);
      if (schemes.includes('csrf') && !statuses.includes('403')) wrong.push(`${method} ${path}: no 403 (CSRF)`);
      if (op.requestBody && !statuses.includes('400')) wrong.push(`${method} ${path}: no 400`);
      if (op.requestBody && !statuses.includes('413')) wrong.push(`${method} ${path}: no 413`);
      if (method !== 'get' && !statuses.includes('409')) wrong.push(`${method} ${path}: no 409`);
      const p = op.responses['429'] as OpenAPIV3.ResponseObject | undefined;
      const schema = p?.content?.['application/json']?.schema as OpenAPIV3.SchemaObject | undefined;
      if (!schema?.properties?.code || !schema.properties.detail) wrong.push(`${method} ${path}: 429 is not a problem document`);
    }
    expect(wrong).toEqual([]);
  });

  it('a refusal is a problem document with its stable code (CSRF, unknown address, bad form)', async () => {
    const csrf = await h.server.inject({
      method: 'POST',
      url: '/connexion',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: '{}',
    });
    expect(csrf.statusCode).toBe(403);
    expect(csrf.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(csrf.json()).toMatchObject({ type: 'about:blank', status: 403, code: 'jeton_csrf_invalide', title: 'Accès refusé' });
    const unknown = await h.server.inject({ method: 'GET', url: '/api/rien', headers: { accept: 'application/json' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ status: 404, code: 'ressource_introuvable', message: 'Ressource introuvable.' });
  });
});

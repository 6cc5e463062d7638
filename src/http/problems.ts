/**
 * The one table from a problem's kind (src/shared/problem.ts) to its HTTP status, and the JSON form of
 * a problem: RFC 9457 `application/problem+json`, with the stable `code` and the French message, plus
 * `message` and `errors` (one message per field) that the portal's API clients read since the first
 * version.
 */
import { z } from 'zod';
import type { Problem, ProblemKind } from '../shared/problem.js';

export const STATUS_OF: Record<ProblemKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

/** The French reason phrase of each kind (the problem's `title`). */
export const TITLE_OF: Record<ProblemKind, string> = {
  invalid: 'Requête incorrecte',
  unauthenticated: 'Authentification nécessaire',
  forbidden: 'Accès refusé',
  not_found: 'Introuvable',
  conflict: 'Conflit',
  gone: 'Lien ou étape expiré',
  too_large: 'Données trop volumineuses',
  unsupported_media_type: 'Format non pris en charge',
  too_many_requests: 'Trop de requêtes',
  unavailable: 'Service momentanément indisponible',
  internal: 'Erreur technique',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  message: string;
  errors: Record<string, string>;
  [extension: string]: unknown;
}

export function problemDocument(p: Problem): ProblemDocument {
  const status = STATUS_OF[p.kind];
  return {
    ...(p.extra ?? {}),
    type: 'about:blank',
    title: TITLE_OF[p.kind],
    status,
    detail: p.message,
    code: p.code,
    message: p.message,
    errors: p.errors ?? {},
  };
}

/** The problem document in OpenAPI (every operation's 4xx and 5xx answers). */
export const problemSchema = z
  .object({
    type: z.string().describe('« about:blank » : le code ci-dessous précise le problème'),
    title: z.string().describe('Nature du problème, en français'),
    status: z.number().int().describe('Statut HTTP'),
    detail: z.string().describe('Message en français, à montrer à la personne'),
    code: z.string().describe('Code stable du problème, pour les programmes (par exemple « version_perimee »)'),
    message: z.string().describe('Le même message que « detail »'),
    errors: z.record(z.string(), z.string()).describe('Un message par champ du formulaire refusé'),
  })
  .loose()
  .describe('Problème (RFC 9457, application/problem+json)');

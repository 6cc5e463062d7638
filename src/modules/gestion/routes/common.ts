/** What the « Gestion » route files share: tags, request metadata, notices, page numbers. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { respond } from '../../../http/respond.js';

export const tags = {
  espace: ['Espace entreprise'],
  compte: ['Compte'],
  habilitations: ['Gestion'],
  portefeuilles: ['Portefeuilles'],
};

/** What the audit records of the request. */
export const meta = (req: FastifyRequest) => ({ ip: req.ip });

const queryValue = (req: FastifyRequest, name: string): unknown => (req.query as Record<string, unknown> | undefined)?.[name];

/** A text parameter of the query string ('' when absent or repeated). */
export const queryText = (req: FastifyRequest, name: string): string => {
  const v = queryValue(req, name);
  return typeof v === 'string' ? v : '';
};

/** A parameter of the path ('' when absent). */
export const param = (req: FastifyRequest, name: string): string => {
  const v = (req.params as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** The notice named by `?notice=` after a redirect, if it is one of `notices`. */
export const noticeOf = (req: FastifyRequest, notices: Record<string, string>): string | undefined => notices[queryText(req, 'notice')];

/** `?page=` as a page number (1 when absent or malformed, at most 100 000). */
export const pageOf = (req: FastifyRequest): number =>
  Math.min(100_000, Math.max(1, Number.parseInt(queryText(req, 'page') || '1', 10) || 1));

/**
 * The body came from a page's form (not from an API client): only forms have the two lists' arrows,
 * whose round trip without JavaScript shows the lists again instead of saving.
 */
export const sentForm = (req: FastifyRequest): boolean =>
  (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/** 201 Created: the JSON says the notice's text (with `json`, e.g. the new id); a browser goes to `redirect` with the notice. */
export const created = <N extends string>(
  req: FastifyRequest,
  reply: FastifyReply,
  notices: Record<N, string>,
  notice: N,
  redirect: string,
  json: Record<string, unknown>,
) => respond(req, reply, { status: 201, json: { message: notices[notice], ...json }, redirect, notice });

/** The company heading of the lists of SIRETs (« Déclarations », « Établissements »). */
export const companyProps = <R>(c: { siren: string; raisonSociale: string; etablissements: R[] }) => ({
  siren: c.siren,
  raisonSociale: c.raisonSociale,
  rows: c.etablissements,
});

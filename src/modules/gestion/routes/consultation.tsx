/**
 * « Consultation » (administrators): the company's history of changes, filtered by kind, dates and
 * person, 50 a page; the same filters give the whole history as CSV. A wrong filter: 400, one French
 * message per field, and nothing read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { formatDateTime } from '../../../shared/format.js';
import { ConsultationPage, type ConsultationView } from '../../../web/pages/consultation.js';
import {
  CONSULTATION_KIND_KEYS,
  CONSULTATION_KINDS,
  consultationCsv,
  consultHistory,
  peopleOfEspace,
  type ConsultationFilters,
  type ConsultationKind,
} from '../consultation.js';
import { consultationQuery } from '../contracts.js';
import { pageOf, tags } from './common.js';

const KINDS = CONSULTATION_KIND_KEYS.map((k) => ({ value: k, label: CONSULTATION_KINDS[k].label }));
type Values = ConsultationView['values'];

export async function consultationRoutes(app: FastifyInstance) {
  const doc = { tags: tags.espace, access: 'admin' as const, querystring: consultationQuery };
  app.get(
    '/gestion/consultation',
    route({
      ...doc,
      operationId: 'consultation',
      summary:
        'Consultation : l’historique des modifications de l’entreprise (habilitations, déclarants, déclarations, portefeuilles, attributions)',
    }),
    showConsultation,
  );
  app.get(
    '/gestion/consultation.csv',
    route({ ...doc, operationId: 'exporterConsultationCsv', summary: 'Consultation : l’historique filtré (CSV, séparateur ;)' }),
    exportConsultation,
  );
}

/** The filters typed, as strings ('' for « tous »). */
function valuesOf(req: FastifyRequest): Values {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof q[k] === 'string' ? q[k] : '');
  return { type: s('type'), du: s('du'), au: s('au'), personne: s('personne') };
}

const filtersOf = (v: Values): ConsultationFilters => ({
  ...(v.type ? { kind: v.type as ConsultationKind } : {}),
  ...(v.du ? { du: v.du } : {}),
  ...(v.au ? { au: v.au } : {}),
  ...(v.personne ? { personne: v.personne } : {}),
});

const queryOf = (v: Values) => new URLSearchParams(Object.entries(v).filter(([, x]) => x !== '')).toString();

async function showConsultation(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const admin = req.auth!.user;
  const values = valuesOf(req);
  const people = (await peopleOfEspace(ctx.db, admin)).map((p) => ({ value: p.id, label: p.label }));
  const view = (over: Partial<ConsultationView> = {}): ConsultationView => ({
    values,
    kinds: KINDS,
    people,
    rows: [],
    page: 1,
    pages: 1,
    total: 0,
    query: queryOf(values),
    ...over,
  });
  const parsed = readForm(
    req,
    reply,
    consultationQuery,
    (wrong) => <ConsultationPage ctx={pageContext(req)} view={view()} errors={wrong.errors} />,
    req.query,
  );
  if (!parsed.ok) return parsed.answer;
  const h = await consultHistory(ctx.db, admin, filtersOf(values), { page: pageOf(req) });
  const rows = h.entries.map((e) => ({ ...e, at: formatDateTime(e.at), kind: CONSULTATION_KINDS[e.kind].label }));
  return respond(req, reply, {
    json: () => ({ ...h, entries: h.entries.map((e) => ({ ...e, at: e.at.toISOString() })) }),
    page: () => <ConsultationPage ctx={pageContext(req)} view={view({ rows, page: h.page, pages: h.pages, total: h.total })} />,
  });
}

async function exportConsultation(req: FastifyRequest, reply: FastifyReply) {
  const parsed = readForm(req, reply, consultationQuery, 'Critères incorrects', req.query);
  if (!parsed.ok) return parsed.answer;
  const h = await consultHistory(req.server.ctx.db, req.auth!.user, filtersOf(valuesOf(req)), { page: 1, all: true });
  return sendFile(reply, { name: 'consultation.csv', type: 'text/csv; charset=utf-8', body: consultationCsv(h.entries) });
}

/**
 * « Redésigner » a share that could not be paid (D. 6241-27-1): the page (the share, a search of
 * habilitated establishments, the choice) and the change (redesignation.ts). Another company's share,
 * or one no longer waiting, answers 404 like every address of the employer space.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parseBody } from '../../../shared/fields.js';
import { problem } from '../../../shared/problem.js';
import { MessagePage } from '../../../web/pages/public.js';
import { employerUrl } from '../../../web/pages/soltea-employeur-frame.js';
import { RedesignerPage } from '../../../web/pages/soltea-employeur-non-versables.js';
import { firstString, idOf, redesignerBody, redesignerParams } from '../contracts.js';
import { redesignateShare, SHARE_NOT_FOUND } from '../redesignation.js';
import { loadRedesignation } from '../redesignation-view.js';
import { employerOf, NOTICES, param, siretNotFound, tags, type Employer } from './common.js';

const NOT_FOUND = problem('not_found', 'non_versable_introuvable', SHARE_NOT_FOUND);

export async function redesignationRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/employeur/:siret/non-versables/:id',
    route({
      operationId: 'partNonVersable',
      summary: 'Une part non versable : montant, motif, délai de re-désignation, et les établissements trouvés pour la redésigner',
      tags,
      access: 'user',
      params: redesignerParams,
      querystring: z.object({ q: z.string().max(200).optional().describe('Nom, SIRET ou UAI de l’établissement recherché') }),
      responses: { 200: z.object({ id: z.number(), montantCentimes: z.number() }).loose() },
    }),
    show,
  );
  app.post(
    '/soltea/employeur/:siret/non-versables/:id',
    route({
      operationId: 'redesignerPartNonVersable',
      summary: 'Redésigner une part non versable : l’attribution passe à un autre établissement habilité, jusqu’au délai de la campagne',
      tags,
      access: 'user',
      params: redesignerParams,
      body: redesignerBody,
      responses: { 200: z.object({ message: z.string(), ligneId: z.number(), version: z.number() }) },
    }),
    redesignate,
  );
}

function shareNotFound(req: FastifyRequest, reply: FastifyReply) {
  return respond(req, reply, {
    problem: NOT_FOUND,
    page: () => (
      <MessagePage ctx={pageContext(req)} title="Part introuvable" type="error">
        {NOT_FOUND.message}
      </MessagePage>
    ),
  });
}

async function view(req: FastifyRequest, r: Employer, q: string) {
  const ctx = req.server.ctx;
  const id = idOf(param(req, 'id'));
  return id === null ? null : loadRedesignation(ctx.db, ctx.clock.now(), r.annee, r.siret, id, q);
}

async function show(req: FastifyRequest, reply: FastifyReply) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const v = await view(req, r, firstString((req.query as Record<string, unknown>).q).slice(0, 200));
  if (!v) return shareNotFound(req, reply);
  return respond(req, reply, {
    json: () => ({ ...v, montantCentimes: Number(v.montantCents), montantCents: undefined }),
    page: () => <RedesignerPage ctx={pageContext(req)} head={r.head} v={v} />,
  });
}

async function redesignate(req: FastifyRequest, reply: FastifyReply) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const id = idOf(param(req, 'id'));
  if (id === null) return shareNotFound(req, reply);
  const parsed = parseBody(redesignerBody, req.body);
  const q = firstString((req.body as Record<string, unknown> | undefined)?.q);
  if (!parsed.ok) {
    const p = problem('invalid', 'choix_manquant', Object.values(parsed.errors)[0] ?? 'Choisissez un établissement dans la liste.', {
      errors: parsed.errors,
    });
    return refused(req, reply, r, p, q);
  }
  const res = await redesignateShare(req.server.ctx, {
    annee: r.annee,
    siret: r.siret,
    actor: r.actor,
    nonVersableId: id,
    nouveauSiret: parsed.data.siret,
    expectedVersion: parsed.data.version,
  });
  if (!res.ok) return res.problem.kind === 'not_found' ? shareNotFound(req, reply) : refused(req, reply, r, res.problem, q);
  return respond(req, reply, {
    json: { message: NOTICES.redesigne!, ligneId: res.ligneId, version: res.version },
    redirect: employerUrl(r.siret),
    notice: 'redesigne',
  });
}

/** A refused re-designation: the problem for programs, the page with the message for browsers. */
async function refused(req: FastifyRequest, reply: FastifyReply, r: Employer, p: ReturnType<typeof problem>, q: string) {
  const v = await view(req, r, q);
  if (!v) return shareNotFound(req, reply);
  return respond(req, reply, { problem: p, page: () => <RedesignerPage ctx={pageContext(req)} head={r.head} v={v} error={p.message} /> });
}

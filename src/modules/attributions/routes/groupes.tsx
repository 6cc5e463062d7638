/** « Mes groupes »: the groups of SIRETs of the company, made and dissolved from the space of one of its SIRETs. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import type { FieldErrors } from '../../../shared/fields.js';
import { employerUrl } from '../../../web/pages/soltea-employeur-frame.js';
import { GroupesPage } from '../../../web/pages/soltea-employeur-groupes.js';
import { groupeBody, idOf, lineParams, siretParams } from '../contracts.js';
import { createGroup, deleteGroup, groupsOf } from '../groupes.js';
import { body, employerOf, NOTICES, noticeOf, param, siretNotFound, tags, usableSirets, type Employer } from './common.js';

export async function groupesRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/employeur/:siret/groupes',
    route({
      operationId: 'groupesEmployeur',
      summary: 'Mes groupes : les groupes de SIRET de l’entreprise et leur SIRET de référence',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: z.object({ campagne: z.number(), groupes: z.array(z.any()), sirets: z.array(z.any()) }) },
    }),
    showGroupes,
  );
  app.post(
    '/soltea/employeur/:siret/groupes',
    route({
      operationId: 'creerGroupe',
      summary: 'Créer un groupe : nom, SIRET de référence, autres SIRET (même SIREN)',
      tags,
      access: 'user',
      params: siretParams,
      body: groupeBody,
      responses: { 201: z.object({ id: z.number() }) },
    }),
    create,
  );
  app.post(
    '/soltea/employeur/:siret/groupes/:id/supprimer',
    route({
      operationId: 'dissoudreGroupe',
      summary: 'Dissoudre un groupe (chaque SIRET garde ses attributions)',
      tags,
      access: 'user',
      params: lineParams,
      changes: true,
    }),
    dissolve,
  );
}

/** The groups whose reference the person acts for, and the SIRETs of the company that may be grouped. */
async function groupesView(req: FastifyRequest, r: Employer) {
  const siren = r.siret.slice(0, 9);
  const gs = await groupsOf(req.server.ctx.db, r.annee, siren);
  const inGroup = new Map<string, string>();
  for (const g of gs) for (const m of [g.reference, ...g.membres]) inGroup.set(m, g.nom);
  const candidates = r.all
    .filter((x) => !x.indisponible && x.siret.slice(0, 9) === siren)
    .map((x) => ({ siret: x.siret, denomination: x.denomination, commune: x.commune, groupe: inGroup.get(x.siret) ?? null }));
  const visible = gs.filter((g) => r.all.some((x) => x.siret === g.reference && !x.indisponible));
  return { groupes: visible, candidates };
}

type GroupForm = { values?: { nom?: string; reference?: string; membres?: string[] }; errors?: FieldErrors };

function groupesPage(req: FastifyRequest, r: Employer, v: Awaited<ReturnType<typeof groupesView>>, extra: GroupForm = {}) {
  const notice = noticeOf(req);
  return () => (
    <GroupesPage
      ctx={pageContext(req)}
      head={r.head}
      groupes={v.groupes}
      candidates={v.candidates}
      {...extra}
      {...(notice ? { notice } : {})}
    />
  );
}

async function showGroupes(req: FastifyRequest, reply: FastifyReply) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const v = await groupesView(req, r);
  return respond(req, reply, { json: { campagne: r.annee, groupes: v.groupes, sirets: v.candidates }, page: groupesPage(req, r, v) });
}

async function create(req: FastifyRequest, reply: FastifyReply) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const values = groupeBody.parse(body(req));
  const res = await createGroup(req.server.ctx, r.actor, r.annee, values, usableSirets(r));
  if (!res.ok)
    return respond(req, reply, {
      problem: res.problem,
      page: groupesPage(req, r, await groupesView(req, r), { values, errors: res.problem.errors ?? {} }),
    });
  return respond(req, reply, { status: 201, json: { id: res.id }, redirect: employerUrl(r.siret, 'groupes'), notice: 'groupe-cree' });
}

async function dissolve(req: FastifyRequest, reply: FastifyReply) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const id = idOf(param(req, 'id'));
  const ok = id !== null && (await deleteGroup(req.server.ctx, r.actor, r.annee, id, usableSirets(r)));
  if (!ok) return siretNotFound(req, reply);
  return respond(req, reply, {
    json: { message: NOTICES['groupe-dissous'] },
    redirect: employerUrl(r.siret, 'groupes'),
    notice: 'groupe-dissous',
  });
}

/**
 * « Reliquat » (R. 6241-28, docs/regles.md#reliquat): the simulation of the campaign's reliquat at any
 * time (pool, regional and national parts, regions, the establishments' shares by page and as a CSV,
 * what is carried over and why) and « Calculer le reliquat » (gestionnaire, from the campaign's reliquat
 * date), whose wave (numero 0) then goes through « Vagues de versement ». « Rapprochement »
 * (docs/regles.md#rapprochement): the campaign's identity to the cent and its differences, as a page and a
 * CSV. The handlers call the use cases of src/modules/versements.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parisStartOfDay } from '../../../domain/jours.js';
import { textField } from '../../../shared/fields.js';
import { invalidForm, type Problem } from '../../../shared/problem.js';
import { RapprochementPage, ReliquatPage, type RegionLabel } from '../../../web/pages/operateur-reliquat.js';
import { currentCampaign } from '../../campagnes/repository.js';
import { regionName } from '../../referentiel/territoires.js';
import { campaignYear } from '../../versements/cli-commands.js';
import { rapprochementCsv, reconcile } from '../../versements/rapprochement.js';
import { computeReliquat, simulateReliquat, type ReliquatView } from '../../versements/reliquat.js';
import { reliquatCsv } from '../../versements/reliquat-cli.js';
import { agentOf, jsonOf, notice, pageOf, tags, yearPageQuery } from './common.js';

/** The establishments' shares shown per page. */
export const SHARES_PAGE_SIZE = 50;

const computeSchema = z.object({
  annee: z.coerce.number({ error: 'L’année de la campagne est incorrecte.' }).int().min(2023).max(2100),
});
const computeAnswer = z.object({ message: z.string(), vagueId: z.number() }).loose();

export async function operateurReliquatRoutes(app: FastifyInstance) {
  const doc = { access: 'agent' as const, querystring: yearPageQuery };
  app.get(
    '/operateur/reliquat',
    route({ ...doc, tags: tags.reliquat, operationId: 'operateurReliquat', summary: 'Simulation du reliquat de la campagne' }),
    showReliquat,
  );
  app.get(
    '/operateur/reliquat/parts.csv',
    route({ ...doc, tags: tags.reliquat, operationId: 'operateurReliquatCsv', summary: 'Les parts du reliquat simulé (CSV)' }),
    sharesCsv,
  );
  app.post(
    '/operateur/reliquat/calculer',
    route({
      tags: tags.reliquat,
      access: 'agent',
      role: 'gestionnaire',
      operationId: 'operateurCalculerReliquat',
      summary: 'Calculer le reliquat et préparer sa vague (à partir de sa date)',
      body: computeSchema,
      changes: true,
      responses: { 201: computeAnswer },
    }),
    compute,
  );
  app.get(
    '/operateur/rapprochement',
    route({ ...doc, tags: tags.rapprochement, operationId: 'operateurRapprochement', summary: 'Rapprochement de la campagne' }),
    showRapprochement,
  );
  app.get(
    '/operateur/rapprochement.csv',
    route({ ...doc, tags: tags.rapprochement, operationId: 'operateurRapprochementCsv', summary: 'Rapprochement de la campagne (CSV)' }),
    rapprochementFile,
  );
}

async function yearOf(req: FastifyRequest): Promise<number> {
  return campaignYear(textField(req.query, 'annee')) ?? (await currentCampaign(req.server.ctx)).annee;
}

const regionLabels = (r: ReliquatView): RegionLabel[] =>
  r.regions.map((g) => ({
    code: g.region,
    libelle: g.region === null ? 'Région inconnue' : `${g.region} ${regionName(g.region) ?? ''}`.trim(),
  }));

async function reliquatPage(req: FastifyRequest, annee: number, problem?: Problem) {
  const s = await simulateReliquat(req.server.ctx, annee);
  const reliquat = s.ok ? s.reliquat : null;
  const pages = Math.max(1, Math.ceil((reliquat?.shares.length ?? 0) / SHARES_PAGE_SIZE));
  const page = Math.min(pageOf(req), pages);
  return (
    <ReliquatPage
      ctx={pageContext(req)}
      annee={annee}
      reliquat={reliquat}
      regions={reliquat ? regionLabels(reliquat) : []}
      shares={reliquat?.shares.slice((page - 1) * SHARES_PAGE_SIZE, page * SHARES_PAGE_SIZE) ?? []}
      page={page}
      pages={pages}
      calculable={!!reliquat && req.server.ctx.clock.now() >= parisStartOfDay(reliquat.date)}
      problem={problem ?? (s.ok ? undefined : s.problem)}
      notice={notice(req)}
    />
  );
}

async function showReliquat(req: FastifyRequest, reply: FastifyReply) {
  const annee = await yearOf(req);
  const s = await simulateReliquat(req.server.ctx, annee);
  if (!s.ok) return respond(req, reply, { problem: s.problem, page: () => reliquatPage(req, annee) });
  return respond(req, reply, { json: () => jsonOf(s.reliquat), page: () => reliquatPage(req, annee) });
}

async function sharesCsv(req: FastifyRequest, reply: FastifyReply) {
  const annee = await yearOf(req);
  const s = await simulateReliquat(req.server.ctx, annee);
  if (!s.ok) return respond(req, reply, { problem: s.problem, page: () => reliquatPage(req, annee) });
  return sendFile(reply, {
    name: `soltea-reliquat-${annee}-simulation.csv`,
    type: 'text/csv; charset=utf-8',
    body: reliquatCsv(s.reliquat),
  });
}

async function compute(req: FastifyRequest, reply: FastifyReply) {
  const parsed = readForm(req, reply, computeSchema, async (wrong) => reliquatPage(req, await yearOf(req), invalidForm(wrong.errors)));
  if (!parsed.ok) return parsed.answer;
  const { annee } = parsed.data;
  const r = await computeReliquat(req.server.ctx, agentOf(req), annee);
  if (!r.ok) return respond(req, reply, { problem: r.problem, page: () => reliquatPage(req, annee, r.problem) });
  return respond(req, reply, {
    status: 201,
    json: { message: 'Reliquat calculé.', vagueId: r.vagueId, virements: r.nbVirements, totalCents: String(r.totalCents) },
    redirect: `/operateur/vagues/${r.vagueId}`,
    notice: 'reliquat-calcule',
  });
}

async function showRapprochement(req: FastifyRequest, reply: FastifyReply) {
  const { view } = await reconcile(req.server.ctx, await yearOf(req));
  return respond(req, reply, { json: () => jsonOf(view), page: () => <RapprochementPage ctx={pageContext(req)} view={view} /> });
}

async function rapprochementFile(req: FastifyRequest, reply: FastifyReply) {
  const { view } = await reconcile(req.server.ctx, await yearOf(req));
  return sendFile(reply, { name: `soltea-rapprochement-${view.annee}.csv`, type: 'text/csv; charset=utf-8', body: rapprochementCsv(view) });
}

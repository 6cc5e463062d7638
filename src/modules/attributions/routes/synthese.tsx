/**
 * The « Synthèse » of one employer SIRET: the crédits à répartir, the allocations (percentage, expected
 * amount, status) and the calendar; its CSV; « Partage de coordonnées »; « Historique ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { formatPercentNumber } from '../../../shared/format.js';
import { employerUrl } from '../../../web/pages/soltea-employeur-frame.js';
import { HistoriquePage, SynthesePage } from '../../../web/pages/soltea-employeur-synthese.js';
import { refusalOf } from '../apply-change.js';
import { setPartage } from '../choix.js';
import { firstString, idOf, partageBody, siretParams } from '../contracts.js';
import { historyYears } from '../history.js';
import { loadSynthese } from '../synthese.js';
import { syntheseCsv, syntheseJson } from '../synthese-views.js';
import { answerSynthese, body, employerOf, refusedChange, siretNotFound, tags } from './common.js';

const syntheseResponse = z
  .object({ campagne: z.number(), version: z.number(), attributions: z.array(z.any()) })
  .loose()
  .describe('La synthèse');

export async function syntheseRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/employeur/:siret',
    route({
      operationId: 'syntheseEmployeur',
      summary: 'Synthèse : crédits à répartir, attributions (pourcentage, montant attendu, statut), calendrier',
      tags,
      access: 'user',
      params: siretParams,
      querystring: z.object({ modifier: z.string().optional().describe('La ligne à modifier (page)') }),
      responses: { 200: syntheseResponse },
    }),
    showSynthese,
  );
  app.get(
    '/soltea/employeur/:siret/synthese.csv',
    route({
      operationId: 'exporterSyntheseCsv',
      summary: 'La synthèse en CSV (séparateur « ; », UTF-8 avec BOM)',
      tags,
      access: 'user',
      params: siretParams,
      querystring: z.object({ annee: z.string().optional().describe('Campagne (par défaut la campagne en cours)') }),
      responses: { 200: z.string().describe('Le fichier CSV') },
    }),
    downloadCsv,
  );
  app.post(
    '/soltea/employeur/:siret/partage',
    route({
      operationId: 'partagerCoordonnees',
      summary: 'Partage de coordonnées avec les établissements choisis (oui / non)',
      tags,
      access: 'user',
      params: siretParams,
      body: partageBody,
      responses: { 200: z.object({ partageCoordonnees: z.boolean() }) },
    }),
    changePartage,
  );
  app.get(
    '/soltea/employeur/:siret/historique',
    route({
      operationId: 'historiqueEmployeur',
      summary: 'Historique : crédits, attributions et statut de chaque campagne',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: z.object({ campagnes: z.array(syntheseResponse) }) },
    }),
    showHistorique,
  );
}

/** The Synthèse; `?modifier=<id>` opens the line's percentage field (« Modifier »). */
async function showSynthese(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const id = idOf(firstString((req.query as Record<string, unknown>).modifier));
  if (id === null) return answerSynthese(req, reply, r);
  const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
  const line = s.lines.find((l) => l.id === id);
  if (!line) return answerSynthese(req, reply, r);
  return respond(req, reply, {
    json: () => syntheseJson(s),
    page: () => (
      <SynthesePage ctx={pageContext(req)} head={r.head} s={s} modifier={{ id: line.id, value: formatPercentNumber(line.pointsBase) }} />
    ),
  });
}

async function downloadCsv(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const a = firstString((req.query as Record<string, unknown>).annee);
  const annee = /^\d{4}$/.test(a) ? Number(a) : r.annee;
  const s = await loadSynthese(ctx.db, ctx.clock.now(), annee, r.siret);
  return sendFile(reply, { name: `soltea-attributions-${r.siret}-${annee}.csv`, type: 'text/csv; charset=utf-8', body: syntheseCsv(s) });
}

async function changePartage(req: FastifyRequest, reply: FastifyReply) {
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const partage = partageBody.parse(body(req)).partage;
  const ok = await setPartage(req.server.ctx, r.annee, r.siret, partage, r.actor);
  if (!ok)
    return refusedChange(
      req,
      reply,
      r,
      refusalOf('invalid', 'sans_enveloppe', 'Aucun solde n’est à répartir pour ce SIRET : il n’y a pas de coordonnées à partager.')
        .problem,
    );
  return respond(req, reply, {
    json: { partageCoordonnees: partage },
    redirect: employerUrl(r.siret),
    notice: partage ? 'partage-oui' : 'partage-non',
  });
}

async function showHistorique(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const years = await historyYears(ctx.db, r.siret, r.annee);
  const campagnes = await Promise.all(years.map((y) => loadSynthese(ctx.db, ctx.clock.now(), y, r.siret)));
  return respond(req, reply, {
    json: () => ({ campagnes: campagnes.map(syntheseJson) }),
    page: () => <HistoriquePage ctx={pageContext(req)} head={r.head} campagnes={campagnes} />,
  });
}

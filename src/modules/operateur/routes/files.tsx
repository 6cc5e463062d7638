/**
 * The operator's work queues besides the bank details to verify (espace.tsx): « Établissements sans
 * coordonnées » and its bulk reminder (gestionnaire; once per establishment, period and échéance,
 * messages/rappels-coordonnees.ts), « Lignes non versables » (versements/apercu.ts), and « Recherche support » (support.ts:
 * read-only, each consultation audited).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { daysBetween, parisDayOf } from '../../../domain/jours.js';
import { periodeProchaineFin } from '../../../domain/non-versables.js';
import { textField } from '../../../shared/fields.js';
import { failure } from '../../../shared/problem.js';
import { NonVersablesPage, SansCoordonneesPage } from '../../../web/pages/operateur-files.js';
import { SupportPage } from '../../../web/pages/operateur-support.js';
import { campaignOf, currentCampaign, presetOrDefault } from '../../campagnes/repository.js';
import { campaignYear } from '../../versements/cli-commands.js';
import { UNPAYABLE_PAGE_SIZE, unpayableLines } from '../../versements/apercu.js';
import { establishmentsWithoutBankDetails, remindForPeriod, SANS_COORDONNEES_PAGE_SIZE } from '../../messages/rappels-coordonnees.js';
import { supportLookup } from '../support.js';
import { jsonOf, meta, notice, pageOf, tags, yearPageQuery } from './common.js';

const remindSchema = z.object({ annee: z.string() });

export async function operateurFilesRoutes(app: FastifyInstance) {
  const doc = { tags: tags.files, access: 'agent' as const };
  app.get(
    '/operateur/sans-coordonnees',
    route({
      ...doc,
      operationId: 'operateurSansCoordonnees',
      summary: 'Établissements attributaires sans coordonnées bancaires vérifiées',
      querystring: yearPageQuery,
    }),
    showSansCoordonnees,
  );
  app.post(
    '/operateur/sans-coordonnees/relancer',
    route({
      ...doc,
      role: 'gestionnaire',
      operationId: 'operateurRelancerSansCoordonnees',
      summary: 'Relancer les établissements sans coordonnées (une fois par établissement et par période)',
      body: remindSchema,
    }),
    remind,
  );
  app.get(
    '/operateur/non-versables',
    route({ ...doc, operationId: 'operateurNonVersables', summary: 'Lignes non versables de la campagne', querystring: yearPageQuery }),
    showNonVersables,
  );
  app.get(
    '/operateur/support',
    route({
      ...doc,
      operationId: 'operateurSupport',
      summary: 'Recherche support par SIREN ou SIRET (lecture seule, consultation tracée)',
      querystring: z.object({ q: z.string().optional() }),
    }),
    support,
  );
}

async function yearOf(req: FastifyRequest, source: unknown = req.query): Promise<number> {
  return campaignYear(textField(source, 'annee')) ?? (await currentCampaign(req.server.ctx)).annee;
}

/** The campaign's period whose end comes next, and the days left until its last day. */
async function periodOf(req: FastifyRequest, annee: number) {
  const ctx = req.server.ctx;
  const campaign = (await campaignOf(ctx.db, annee)) ?? presetOrDefault(annee);
  const periode = periodeProchaineFin(campaign, ctx.clock.now());
  const joursRestants = periode ? Math.max(0, daysBetween(parisDayOf(ctx.clock.now()), periode.fin)) : null;
  return { periode, joursRestants };
}

async function sansCoordonneesView(req: FastifyRequest, annee: number) {
  const { periode, joursRestants } = await periodOf(req, annee);
  const page = pageOf(req);
  const list = await establishmentsWithoutBankDetails(req.server.ctx, annee, periode?.numero ?? 0, page);
  const pages = Math.max(1, Math.ceil(list.total / SANS_COORDONNEES_PAGE_SIZE));
  return { annee, periode, joursRestants, ...list, page, pages, canSend: req.agent?.viewer.role === 'gestionnaire' };
}

async function showSansCoordonnees(req: FastifyRequest, reply: FastifyReply) {
  const v = await sansCoordonneesView(req, await yearOf(req));
  return respond(req, reply, {
    json: () => ({
      annee: v.annee,
      periode: v.periode,
      total: v.total,
      rappeles: v.rappeles,
      page: v.page,
      pages: v.pages,
      etablissements: v.rows,
    }),
    page: () => <SansCoordonneesPage ctx={pageContext(req)} {...v} notice={notice(req)} />,
  });
}

async function remind(req: FastifyRequest, reply: FastifyReply) {
  const annee = await yearOf(req, req.body);
  const { periode } = await periodOf(req, annee);
  if (!periode) {
    const p = failure(
      'conflict',
      'periodes_closes',
      `Toutes les périodes de répartition de la campagne ${annee} sont closes : aucune relance n’est envoyée.`,
    ).problem;
    const v = await sansCoordonneesView(req, annee);
    return respond(req, reply, { problem: p, page: () => <SansCoordonneesPage ctx={pageContext(req)} {...v} message={p.message} /> });
  }
  const r = await remindForPeriod(req.server.ctx, annee, periode, { agentId: req.agent!.agent.id, ip: meta(req).ip });
  return respond(req, reply, {
    json: {
      message: `Période ${periode.numero} : ${r.envoyes} établissement(s) relancé(s), ${r.dejaRappeles} déjà relancé(s).`,
      envoyes: r.envoyes,
      dejaRappeles: r.dejaRappeles,
    },
    redirect: `/operateur/sans-coordonnees?annee=${annee}`,
    notice: 'rappels-envoyes',
  });
}

async function showNonVersables(req: FastifyRequest, reply: FastifyReply) {
  const annee = await yearOf(req);
  const page = pageOf(req);
  const r = await unpayableLines(req.server.ctx, annee, page);
  const pages = Math.max(1, Math.ceil(r.total / UNPAYABLE_PAGE_SIZE));
  return respond(req, reply, {
    json: () => jsonOf({ annee, page, pages, total: r.total, parStatut: r.parStatut, lignes: r.rows }),
    page: () => <NonVersablesPage ctx={pageContext(req)} annee={annee} {...r} page={page} pages={pages} />,
  });
}

async function support(req: FastifyRequest, reply: FastifyReply) {
  const q = textField(req.query, 'q').slice(0, 40);
  if (!q.trim()) return respond(req, reply, { page: () => <SupportPage ctx={pageContext(req)} q="" view={null} /> });
  const r = await supportLookup(req.server.ctx, { agentId: req.agent!.agent.id, ip: meta(req).ip }, q);
  if (!r.ok)
    return respond(req, reply, {
      problem: r.problem,
      page: () => <SupportPage ctx={pageContext(req)} q={q} view={null} errors={r.problem.errors ?? {}} message={r.problem.message} />,
    });
  return respond(req, reply, {
    json: () => jsonOf(r.view),
    page: () => <SupportPage ctx={pageContext(req)} q={q} view={r.view} />,
  });
}

/**
 * « Campagnes » (docs/regles.md#calendrier): the calendars by year, one calendar as a timeline with
 * today's phase, and its form; creating or editing is for a gestionnaire (a valideur gets 403 with the
 * reason), checked by the code of `campagne-modifier` (campagnes/formulaire.ts) and audited with the agent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { textField } from '../../../shared/fields.js';
import { invalidForm, notFound } from '../../../shared/problem.js';
import { OperatorCampaignFormPage } from '../../../web/pages/operateur-campagne-formulaire.js';
import { OperatorCampaignPage, OperatorCampaignsPage } from '../../../web/pages/operateur-campagnes.js';
import { formValuesOf, formValuesOfCampaign, saveCampaignForm, startingCalendar } from '../../campagnes/formulaire.js';
import { campaignFormSchema } from '../contracts.js';
import { campaignDetail, campaignsOverview } from '../campagnes.js';
import { meta, notice, tags, yearQuery } from './common.js';

const yearParams = z.object({ annee: z.string() });
const YEAR_ERROR = 'L’année de la campagne : 4 chiffres, de 2023 à 2100.';

function yearOf(raw: string): number | null {
  if (!/^\d{4}$/.test(raw)) return null;
  const y = Number(raw);
  return y >= 2023 && y <= 2100 ? y : null;
}

const isGestionnaire = (req: FastifyRequest) => req.agent?.viewer.role === 'gestionnaire';

export async function operateurCampagnesRoutes(app: FastifyInstance) {
  const doc = { tags: tags.campagnes, access: 'agent' as const };
  app.get('/operateur/campagnes', route({ ...doc, operationId: 'operateurCampagnes', summary: 'Les calendriers des campagnes' }), list);
  app.get(
    '/operateur/campagnes/nouvelle',
    route({
      ...doc,
      role: 'gestionnaire',
      hide: true,
      operationId: 'operateurCampagneNouvelle',
      summary: 'Créer le calendrier d’une campagne',
      querystring: yearQuery,
    }),
    create,
  );
  app.get(
    '/operateur/campagnes/:annee',
    route({ ...doc, operationId: 'operateurCampagne', summary: 'Le calendrier d’une campagne, sa frise et sa phase', params: yearParams }),
    show,
  );
  app.get(
    '/operateur/campagnes/:annee/modifier',
    route({
      ...doc,
      role: 'gestionnaire',
      hide: true,
      operationId: 'operateurCampagneFormulaire',
      summary: 'Formulaire du calendrier',
      params: yearParams,
    }),
    edit,
  );
  app.post(
    '/operateur/campagnes/:annee',
    route({
      ...doc,
      role: 'gestionnaire',
      operationId: 'operateurCampagneEnregistrer',
      summary: 'Enregistrer le calendrier d’une campagne (vérifié comme par campagne-modifier)',
      params: yearParams,
      body: campaignFormSchema,
    }),
    save,
  );
}

async function list(req: FastifyRequest, reply: FastifyReply) {
  const rows = await campaignsOverview(req.server.ctx);
  return respond(req, reply, {
    json: () => ({ campagnes: rows.map((r) => ({ ...r.campaign, origine: r.origine, phase: r.phase })) }),
    page: () => <OperatorCampaignsPage ctx={pageContext(req)} rows={rows} canEdit={isGestionnaire(req)} notice={notice(req)} />,
  });
}

async function create(req: FastifyRequest, reply: FastifyReply) {
  const annee = yearOf(textField(req.query, 'annee').trim());
  if (annee !== null) return reply.redirect(`/operateur/campagnes/${annee}/modifier`, 303);
  const rows = await campaignsOverview(req.server.ctx);
  const errors = { annee: YEAR_ERROR };
  return respond(req, reply, {
    problem: invalidForm(errors),
    page: () => <OperatorCampaignsPage ctx={pageContext(req)} rows={rows} canEdit errors={errors} />,
  });
}

async function show(req: FastifyRequest, reply: FastifyReply) {
  const annee = yearOf(textField(req.params, 'annee'));
  const detail = annee === null ? null : await campaignDetail(req.server.ctx, annee);
  if (!detail)
    return respond(req, reply, {
      problem: notFound(`Aucun calendrier n’est enregistré pour la campagne ${textField(req.params, 'annee')}.`).problem,
    });
  return respond(req, reply, {
    json: () => ({ ...detail.campaign, origine: detail.origine, phase: detail.phase, evenements: detail.timeline.evenements }),
    page: () => <OperatorCampaignPage ctx={pageContext(req)} detail={detail} canEdit={isGestionnaire(req)} notice={notice(req)} />,
  });
}

async function edit(req: FastifyRequest, reply: FastifyReply) {
  const annee = yearOf(textField(req.params, 'annee'));
  if (annee === null) return respond(req, reply, { problem: notFound(YEAR_ERROR).problem });
  const start = await startingCalendar(req.server.ctx.db, annee);
  return respond(req, reply, {
    page: () => (
      <OperatorCampaignFormPage
        ctx={pageContext(req)}
        annee={annee}
        values={formValuesOfCampaign(start.campaign)}
        exists={start.exists}
        from={start.exists ? undefined : start.from}
      />
    ),
  });
}

async function save(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const annee = yearOf(textField(req.params, 'annee'));
  if (annee === null) return respond(req, reply, { problem: notFound(YEAR_ERROR).problem });
  const action = textField(req.body, 'action');
  const exists = (await startingCalendar(ctx.db, annee)).exists;
  if (action === 'ajouter-periode' || action === 'ajouter-vague') {
    const values = formValuesOf(req.body, true);
    if (action === 'ajouter-periode') values.periodes.push({ debut: '', fin: '' });
    else values.vagues.push({ date: '', periode: '' });
    return respond(req, reply, {
      page: () => <OperatorCampaignFormPage ctx={pageContext(req)} annee={annee} values={values} exists={exists} />,
    });
  }
  const values = formValuesOf(req.body);
  const r = await saveCampaignForm(ctx, annee, values, { agentId: req.agent!.agent.id, ip: meta(req).ip });
  if (!r.ok)
    return respond(req, reply, {
      problem: r.problem,
      page: () => (
        <OperatorCampaignFormPage
          ctx={pageContext(req)}
          annee={annee}
          values={values}
          exists={exists}
          errors={r.problem.errors ?? {}}
          message={r.problem.message}
        />
      ),
    });
  return respond(req, reply, {
    json: {
      message: r.changed
        ? `Calendrier de la campagne ${annee} enregistré.`
        : `Le calendrier de la campagne ${annee} est déjà celui-ci : rien n’a changé.`,
      changed: r.changed,
    },
    redirect: `/operateur/campagnes/${annee}`,
    notice: r.changed ? 'calendrier-enregistre' : 'calendrier-inchange',
  });
}

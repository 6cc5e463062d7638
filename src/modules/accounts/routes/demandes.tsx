/**
 * « Demande en attente »: candidats AD to grant or refuse, passwords to reset, and the mandates asked by
 * tiers-déclarants (docs/regles.md#tiers-declarants) to accept, refuse or, once accepted, revoke; for
 * administrators. Another company's request answers « introuvable ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { problem } from '../../../shared/problem.js';
import { DemandesPage } from '../../../web/pages/demandes.js';
import { MessagePage } from '../../../web/pages/public.js';
import { decideCandidat, listPendingDemandes, pendingResetRequester } from '../candidat.js';
import { demandesCsv } from '../demandes-csv.js';
import { decideMandat, listMandats, MANDAT_NOT_FOUND, type MandatStatut } from '../mandats.js';
import { adminResetPassword } from '../password-reset.js';
import { meta, notice, NOTICES, tags } from './common.js';

const decisionParams = z.object({ id: z.string().max(64), decision: z.enum(['accorder', 'refuser', 'reinitialiser']) });
const GONE = problem('not_found', 'demande_introuvable', 'Demande introuvable ou déjà traitée.');
const mandatParams = z.object({ id: z.string().max(64), decision: z.enum(['accepter', 'refuser', 'revoquer']) });

const MANDAT_NOTICES: Record<string, string> = {
  'mandat-accepte':
    'Le mandat est accepté : le tiers déclarant peut agir pour vos établissements dans « SOLTéA - Etablissements ». Ses administrateurs sont prévenus par courriel ; vous pouvez révoquer ce mandat à tout moment.',
  'mandat-refuse': 'Le mandat est refusé ; les administrateurs du tiers déclarant sont prévenus par courriel.',
  'mandat-revoque':
    'Le mandat est révoqué : le tiers déclarant ne peut plus ouvrir l’espace « SOLTéA - Etablissements » de vos établissements. Ses administrateurs sont prévenus par courriel.',
};
const NOTICE_OF: Record<MandatStatut, string> = {
  accepte: 'mandat-accepte',
  refuse: 'mandat-refuse',
  revoque: 'mandat-revoque',
  en_attente: '',
  retire: '',
};

/** The notice of the page: the account notices, or one of the mandate decisions. */
const demandesNotice = (req: FastifyRequest) => {
  const code = (req.query as Record<string, unknown>).notice;
  return notice(req) ?? (typeof code === 'string' && Object.hasOwn(MANDAT_NOTICES, code) ? MANDAT_NOTICES[code] : undefined);
};

export async function demandesRoutes(app: FastifyInstance) {
  app.get(
    '/menu/demandes',
    route({ operationId: 'demandesEnAttente', summary: 'Demande en attente (administrateurs)', tags: tags.espace, access: 'admin' }),
    showDemandes,
  );
  app.get(
    '/menu/demandes.csv',
    route({
      operationId: 'exporterDemandesCsv',
      summary: 'Demande en attente : la liste (CSV, séparateur ;)',
      tags: tags.espace,
      access: 'admin',
    }),
    exportDemandes,
  );
  app.post(
    '/menu/demandes/:id/:decision',
    route({
      operationId: 'deciderDemande',
      summary: 'Accorder ou refuser un candidat administrateur, ou réinitialiser un mot de passe demandé',
      tags: tags.espace,
      access: 'admin',
      params: decisionParams,
      changes: true,
    }),
    decide,
  );
  app.post(
    '/menu/demandes/mandats/:id/:decision',
    route({
      operationId: 'deciderMandat',
      summary: 'Accepter ou refuser le mandat demandé par un tiers déclarant, ou révoquer un mandat accepté',
      tags: tags.espace,
      access: 'admin',
      params: mandatParams,
      changes: true,
    }),
    decideOnMandat,
  );
}

async function showDemandes(req: FastifyRequest, reply: FastifyReply) {
  const list = await listPendingDemandes(req.server.ctx, req.auth!.user.espaceId);
  const mandats = await listMandats(req.server.ctx, req.auth!.user.espaceId);
  return respond(req, reply, {
    json: { demandes: list, mandats },
    page: () => <DemandesPage ctx={pageContext(req)} demandes={list} mandats={mandats} notice={demandesNotice(req)} />,
  });
}

async function exportDemandes(req: FastifyRequest, reply: FastifyReply) {
  const espaceId = req.auth!.user.espaceId;
  const [list, mandats] = await Promise.all([listPendingDemandes(req.server.ctx, espaceId), listMandats(req.server.ctx, espaceId)]);
  return sendFile(reply, { name: 'demandes-en-attente.csv', type: 'text/csv; charset=utf-8', body: demandesCsv(list, mandats) });
}

/** Accepts, refuses or revokes a mandate of the administrator's company; another company's is « introuvable ». */
async function decideOnMandat(req: FastifyRequest, reply: FastifyReply) {
  const p = mandatParams.safeParse(req.params);
  const r = p.success
    ? await decideMandat(req.server.ctx, req.auth!.user, p.data.id, p.data.decision, meta(req))
    : { ok: false as const, problem: problem('not_found', 'mandat_introuvable', MANDAT_NOT_FOUND) };
  if (!r.ok) return respond(req, reply, { problem: r.problem, title: 'Mandat introuvable', tone: 'error' });
  const n = NOTICE_OF[r.statut];
  return respond(req, reply, { json: { message: MANDAT_NOTICES[n]! }, redirect: '/menu/demandes', notice: n });
}

/** Grants or refuses a candidat AD, or resets the password a person asked for; another espace's request is « introuvable ». */
async function decide(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const p = decisionParams.safeParse(req.params);
  const admin = req.auth!.user;
  let result: 'reinitialise' | 'accordee' | 'refusee' | null = null;
  if (p.success && p.data.decision === 'reinitialiser') {
    const userId = await pendingResetRequester(ctx, admin.espaceId, p.data.id);
    if (userId && (await adminResetPassword(ctx, admin, userId, meta(req))) === 'done') result = 'reinitialise';
  } else if (p.success) {
    const r = await decideCandidat(ctx, admin, p.data.id, p.data.decision === 'accorder', meta(req));
    if (r !== 'not_found') result = r === 'granted' ? 'accordee' : 'refusee';
  }
  if (!result)
    return respond(req, reply, {
      problem: GONE,
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Demande introuvable" type="error">
          Cette demande est introuvable ou a déjà été traitée.
        </MessagePage>
      ),
    });
  return respond(req, reply, { json: { message: NOTICES[result] }, redirect: '/menu/demandes', notice: result });
}

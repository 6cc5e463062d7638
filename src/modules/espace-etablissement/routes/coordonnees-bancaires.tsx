/**
 * « Coordonnées bancaires »: the current details and their history, « Demander un code », and the entry
 * of new details with the code received by mail (or by post).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, type Failure } from '../../../shared/problem.js';
import { spaceUrl } from '../../../web/pages/soltea-etablissement.js';
import { BanquePage } from '../../../web/pages/soltea-etablissement-banque.js';
import { requestBankCode } from '../code-bancaire.js';
import { bankDetailsSchema, bankFormValues, bankResponse, codeResponse, siretParams } from '../contracts.js';
import { loadBankView, submitBankDetails, type BankView } from '../coordonnees-bancaires.js';
import { meta, notice, NOTICES, tags, withSpace, type Space } from './common.js';

export async function coordonneesBancairesRoutes(app: FastifyInstance) {
  const base = '/soltea/etablissement/:siret/coordonnees-bancaires';
  app.get(
    base,
    route({
      operationId: 'coordonneesBancaires',
      summary: 'Coordonnées bancaires : les coordonnées actuelles (IBAN masqué), leur statut, l’historique et le code',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: bankResponse },
    }),
    withSpace(showBank),
  );
  app.post(
    `${base}/code`,
    route({
      operationId: 'demanderCodeBancaire',
      summary:
        'Demander un code : envoyé par courriel aux administrateurs de l’entreprise de l’établissement, ou par courrier à son adresse s’il n’en a pas (valable 30 jours, un par 10 minutes, refusé tant qu’un code est en cours)',
      tags,
      access: 'user',
      params: siretParams,
      changes: true,
      responses: { 200: codeResponse },
    }),
    withSpace(requestCode),
  );
  app.post(
    base,
    route({
      operationId: 'enregistrerCoordonneesBancaires',
      summary: 'Saisir ou modifier les coordonnées bancaires (IBAN, BIC, titulaire) avec le code reçu par courriel',
      tags,
      access: 'user',
      params: siretParams,
      body: bankDetailsSchema,
      responses: { 201: messageResponse },
    }),
    withSpace(saveBankDetails),
  );
}

/** What a program reads: never the IBAN in clear, only its masked form and last four characters. */
const bankJson = (v: BankView) => ({
  actuelles: v.current && {
    iban: v.current.ibanMasque,
    ibanFin: v.current.ibanFin,
    bic: v.current.bic,
    titulaire: v.current.titulaire,
    statut: v.current.statut,
    statutLibelle: v.current.statutLibelle,
    motifRejet: v.current.motifRejet,
    saisiesLe: v.current.createdAt.toISOString(),
  },
  historique: v.history.map((h) => ({
    ibanFin: h.ibanFin,
    bic: h.bic,
    titulaire: h.titulaire,
    statut: h.statut,
    saisiesLe: h.createdAt.toISOString(),
    remplaceesLe: h.remplaceeLe?.toISOString() ?? null,
  })),
  code: v.code && {
    etat: v.code.state,
    demandeLe: v.code.createdAt.toISOString(),
    valableJusquau: v.code.expiresAt.toISOString(),
    essaisRestants: v.code.attemptsLeft,
  },
});

/** The page, with what the form shows again after a refusal. */
async function bankPage(
  req: FastifyRequest,
  s: Space,
  extra: { values?: Record<string, unknown>; errors?: FieldErrors; codeMessage?: string } = {},
) {
  const view = await loadBankView(req.server.ctx, s.etab.siret);
  return <BanquePage ctx={pageContext(req)} head={s.head} view={view} notice={notice(req)} {...extra} />;
}

async function showBank(req: FastifyRequest, reply: FastifyReply, s: Space) {
  return respond(req, reply, {
    json: async () => bankJson(await loadBankView(req.server.ctx, s.etab.siret)),
    page: () => bankPage(req, s),
  });
}

async function requestCode(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const r = await requestBankCode(req.server.ctx, req.auth!.user, s.etab, meta(req));
  if (!r.ok) return respond(req, reply, { problem: r.problem, page: () => bankPage(req, s, { codeMessage: r.problem.message }) });
  const sent = r.channel === 'courrier' ? 'code-courrier' : 'code-envoye';
  return respond(req, reply, {
    json: {
      message: NOTICES[sent]!,
      envoi: r.channel,
      valableJusquau: r.expiresAt.toISOString(),
      destinataires: r.recipients.map((a) => `${a.prenom} ${a.nom}`),
    },
    redirect: spaceUrl(s.etab.siret, 'banque'),
    notice: sent,
  });
}

/** After a refusal the typed values come back, but the code only when it was not the problem (the page is never cached). */
async function saveBankDetails(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const parsed = parseBody(bankDetailsSchema, req.body);
  const r: Failure | { ok: true } = parsed.ok
    ? await submitBankDetails(req.server.ctx, req.auth!.user, s.etab, parsed.data, meta(req))
    : { ok: false, problem: invalidForm(parsed.errors) };
  if (!r.ok) {
    const { code, ...values } = bankFormValues(req.body);
    const errors = r.problem.errors ?? {};
    return respond(req, reply, {
      problem: r.problem,
      page: () => bankPage(req, s, { values: errors.code ? values : { ...values, code }, errors }),
    });
  }
  return respond(req, reply, {
    status: 201,
    json: { message: NOTICES['coordonnees-enregistrees']! },
    redirect: spaceUrl(s.etab.siret, 'banque'),
    notice: 'coordonnees-enregistrees',
  });
}

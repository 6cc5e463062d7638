/** The operator's home and « Coordonnées bancaires » (the bank details to verify, the verdict). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parseBody, textField } from '../../../shared/fields.js';
import { failure, invalidForm, type Problem } from '../../../shared/problem.js';
import { OperatorBankPage, OperatorHomePage } from '../../../web/pages/operateur.js';
import { setBankDetailsStatus } from '../../espace-etablissement/coordonnees-bancaires.js';
import { bankDetailsToVerify, TO_VERIFY_PAGE_SIZE } from '../../espace-etablissement/verification-bancaire.js';
import { bankVerdictSchema } from '../contracts.js';
import { notice, pageOf, pageQuery, tags } from './common.js';

export async function operateurEspaceRoutes(app: FastifyInstance) {
  app.get(
    '/operateur',
    route({ operationId: 'operateurAccueil', summary: 'Espace opérateur', tags: tags.espace, access: 'agent', hide: true }),
    showHome,
  );
  app.get(
    '/operateur/coordonnees-bancaires',
    route({
      operationId: 'operateurCoordonneesAVerifier',
      summary: 'Coordonnées bancaires à vérifier (IBAN masqué)',
      tags: tags.espace,
      access: 'agent',
      querystring: pageQuery,
    }),
    showBank,
  );
  app.post(
    '/operateur/coordonnees-bancaires',
    route({
      operationId: 'operateurVerdictCoordonnees',
      summary: 'Verdict sur des coordonnées bancaires : vérifiées, ou rejetées avec un motif',
      tags: tags.espace,
      access: 'agent',
      body: bankVerdictSchema,
    }),
    giveVerdict,
  );
}

async function showHome(req: FastifyRequest, reply: FastifyReply) {
  const { total } = await bankDetailsToVerify(req.server.ctx, 1);
  return respond(req, reply, { page: () => <OperatorHomePage ctx={pageContext(req)} notice={notice(req)} aVerifier={total} /> });
}

async function bankPage(req: FastifyRequest, more: { message?: string; errors?: Record<string, string> } = {}) {
  const page = pageOf(req);
  const { rows, total } = await bankDetailsToVerify(req.server.ctx, page);
  const pages = Math.max(1, Math.ceil(total / TO_VERIFY_PAGE_SIZE));
  return { rows, total, page, pages, more };
}

async function showBank(req: FastifyRequest, reply: FastifyReply) {
  const v = await bankPage(req);
  return respond(req, reply, {
    json: () => ({ total: v.total, page: v.page, pages: v.pages, coordonnees: v.rows }),
    page: () => <OperatorBankPage ctx={pageContext(req)} {...v} notice={notice(req)} />,
  });
}

async function giveVerdict(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const state = req.agent!;
  const answerProblem = async (p: Problem) => {
    const v = await bankPage(req, { message: p.message, ...(p.errors ? { errors: p.errors } : {}) });
    return respond(req, reply, { problem: p, page: () => <OperatorBankPage ctx={pageContext(req)} {...v} {...v.more} /> });
  };
  const parsed = parseBody(bankVerdictSchema, req.body);
  if (!parsed.ok) return answerProblem(invalidForm(parsed.errors));
  const id = Number(textField(req.body, 'id'));
  const r = await setBankDetailsStatus(ctx, {
    siret: parsed.data.siret,
    statut: parsed.data.statut,
    motif: parsed.data.motif,
    agentId: state.agent.id,
    agent: `${state.agent.prenom} ${state.agent.nom}`,
    ...(Number.isInteger(id) && id > 0 ? { id } : {}),
  });
  if (!r.ok) return answerProblem(failure('conflict', 'verdict_impossible', r.message).problem);
  return respond(req, reply, {
    json: { message: parsed.data.statut === 'verifiee' ? 'Coordonnées bancaires vérifiées.' : 'Coordonnées bancaires rejetées.', id: r.id },
    redirect: '/operateur/coordonnees-bancaires',
    notice: `verdict-${parsed.data.statut}`,
  });
}

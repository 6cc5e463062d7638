/**
 * « Gérer les habilitations »: the criteria, the grid one page at a time, « Valider » and « Tout
 * (dé)cocher » without JavaScript.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findDeclaration } from '../../../domain/declarations.js';
import { parseSiret } from '../../../domain/identifiers.js';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { failure, type Outcome } from '../../../shared/problem.js';
import { withQuery } from '../../../shared/urls.js';
import { HabilitationsPage } from '../../../web/pages/habilitations.js';
import { criteriaQuery, criteriaSchema, gridSchema } from '../contracts.js';
import { applyGrid, toggleColumn, type GridSubmission } from '../habilitations-changes.js';
import { gridView, type Criteria, type Grid, type PageScope } from '../habilitations.js';
import { attempt } from '../outcome.js';
import { noticeOf, tags } from './common.js';
import { refused } from './habilitations-answers.js';

const NOTICES = {
  enregistre: 'Les habilitations ont été enregistrées ; les personnes concernées ont été prévenues.',
  inchange: 'Aucune habilitation n’a changé.',
};

export async function habilitationsGridRoutes(app: FastifyInstance) {
  const doc = { tags: tags.habilitations, access: 'admin' as const };
  app.get(
    '/gestion/habilitations',
    route({
      ...doc,
      operationId: 'grilleHabilitations',
      summary: 'Gérer les habilitations : critères et grille',
      querystring: criteriaQuery,
    }),
    showGrid,
  );
  app.post(
    '/gestion/habilitations',
    route({
      ...doc,
      operationId: 'validerHabilitations',
      summary: 'Gérer les habilitations : « Valider » la page de la grille',
      body: gridSchema,
    }),
    saveGrid,
  );
}

/** The criteria, checked: a SIRET that is not 14 valid digits has its own message. */
function readCriteria(raw: unknown): Outcome<{ criteria: Criteria }> {
  const r = criteriaSchema.safeParse(raw && typeof raw === 'object' ? raw : {});
  if (!r.success) return failure('invalid', 'criteres_incorrects', 'Les critères de recherche sont incorrects.');
  if (r.data.siret.trim() === '') return { ok: true, criteria: { ...r.data, siret: '' } };
  const siret = parseSiret(r.data.siret);
  if (!siret.ok) return failure('invalid', 'siret_incorrect', `Siret : ${siret.message}`);
  return { ok: true, criteria: { ...r.data, siret: siret.value } };
}

function optionsOf(scope: PageScope, admin: { nom: string; prenom: string }) {
  return {
    administrateur: `${admin.nom} ${admin.prenom}`,
    declarants: scope.persons.map((p) => ({
      value: p.id,
      label: `${p.nom} ${p.prenom}${p.role === 'administrateur' ? ' (administrateur)' : ''}`,
    })),
    services: scope.codes.map((c) => ({ value: c, label: findDeclaration(c)!.name })),
  };
}

const gridJson = (c: Criteria, grid: Grid) => ({
  criteres: { siret: c.siret, declarant: c.declarant, service: c.service },
  page: grid.page,
  pages: grid.pages,
  total: grid.total,
  lignes: grid.rows.map((r) => ({
    cle: r.key,
    service: r.code,
    siret: r.siret,
    declarant: r.userId,
    declarer: r.declarer,
    payer: r.payable ? r.payer : null,
  })),
});

interface GridAnswer {
  searched: boolean;
  info?: string;
  /** the boxes of a « Tout (dé)cocher » round trip, instead of the saved rights */
  override?: { declarer: Set<string>; payer: Set<string> };
}

/** The page (criteria, and the grid once searched) or, for programs, the grid. */
async function answerGrid(req: FastifyRequest, reply: FastifyReply, c: Criteria, extra: GridAnswer) {
  const ctx = req.server.ctx;
  const user = req.auth!.user;
  const view = await attempt(() => gridView(ctx, user, c, extra.searched));
  if (!view.ok) return refused(req, reply, view.problem);
  const { scope, grid } = view.value;
  if (grid && extra.override)
    for (const r of grid.rows) {
      r.declarer = extra.override.declarer.has(r.key);
      r.payer = r.payable && extra.override.payer.has(r.key);
    }
  return respond(req, reply, {
    // programs always get the grid (criteria empty when not searched: nothing to refuse)
    json: async () => gridJson(c, grid ?? (await gridView(ctx, user, c, true)).grid!),
    page: () => (
      <HabilitationsPage
        ctx={pageContext(req)}
        options={optionsOf(scope, user)}
        criteria={{ siret: c.siret, declarant: c.declarant, service: c.service }}
        searched={extra.searched}
        grid={grid}
        notice={noticeOf(req, NOTICES)}
        info={extra.info}
      />
    ),
  });
}

async function showGrid(req: FastifyRequest, reply: FastifyReply) {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const r = readCriteria(q);
  if (!r.ok) return refused(req, reply, r.problem);
  const c = r.criteria;
  const searched = q.recherche !== undefined || q.page !== undefined || Boolean(c.siret || c.declarant || c.service);
  return answerGrid(req, reply, c, { searched });
}

async function saveGrid(req: FastifyRequest, reply: FastifyReply) {
  const parsed = gridSchema.safeParse(req.body && typeof req.body === 'object' ? req.body : {});
  const c = readCriteria(req.body);
  if (!parsed.success || !c.ok)
    return refused(
      req,
      reply,
      failure('invalid', 'grille_incorrecte', 'La grille envoyée est incorrecte. Rien n’a été enregistré.').problem,
    );
  const sub: GridSubmission = { rows: parsed.data.rows, declarer: parsed.data.declarer, payer: parsed.data.payer };
  const admin = req.auth!.user;
  const column = parsed.data.bascule;
  if (column) {
    // « Tout (dé)cocher » without JavaScript: the same page, the column toggled, nothing saved yet.
    const t = await attempt(() => toggleColumn(req.server.ctx, admin, sub, column));
    if (!t.ok) return refused(req, reply, t.problem);
    const info = 'La colonne a été (dé)cochée : vérifiez puis cliquez sur « Valider » pour enregistrer.';
    return answerGrid(req, reply, c.criteria, { searched: true, override: t.value, info });
  }
  const r = await applyGrid(req.server.ctx, admin, sub, req.ip);
  if (!r.ok) return refused(req, reply, r.problem);
  const { siret, declarant, service, page } = c.criteria;
  return respond(req, reply, {
    json: { message: r.changes ? 'Les habilitations ont été enregistrées.' : 'Aucune habilitation n’a changé.', modifications: r.changes },
    redirect: withQuery('/gestion/habilitations', { siret, declarant, service, page }),
    notice: r.changes ? 'enregistre' : 'inchange',
  });
}

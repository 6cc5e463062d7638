/**
 * « Gérer les déclarations »: the two lists of an établissement, or first the list of the company's
 * établissements. Without JavaScript the arrows between
 * the two lists are submit buttons: the server moves the checked declarations and shows the lists
 * again, nothing is saved before « Valider ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DECLARATIONS } from '../../../domain/declarations.js';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { failure, type Failure, type Outcome, type Problem } from '../../../shared/problem.js';
import { DeclarationsListsPage, GestionDeclarationsPage } from '../../../web/pages/declarations.js';
import { MessagePage } from '../../../web/pages/public.js';
import { declarationsBodySchema, siretParams } from '../contracts.js';
import {
  changeDeclarations,
  checkCodes,
  companyEtablissements,
  declarationsOfSiret,
  ETABLISSEMENT_NOT_FOUND,
  openingText,
  type EtablissementDeclarations,
} from '../declarations.js';
import { applyDualListMove, moveOf, movedNothing, type DualListMove } from '../dual-list-moves.js';
import { companyProps, noticeOf, param, sentForm, tags } from './common.js';
import { companyJson } from './etablissements.js';

const NOTICES = {
  enregistre: 'Les déclarations de l’établissement sont enregistrées.',
  'aucun-changement': 'Aucun changement : la liste des déclarations sélectionnées était déjà celle-ci.',
};

export async function declarationsListsRoutes(app: FastifyInstance) {
  const doc = { tags: tags.espace, access: 'admin' as const };
  app.get(
    '/gestion/declarations',
    route({
      ...doc,
      operationId: 'gererDeclarations',
      summary: 'Gérer les déclarations : les deux listes (mono-établissement) ou la liste des établissements',
    }),
    showCompany,
  );
  app.get(
    '/gestion/declarations/:siret',
    route({ ...doc, operationId: 'declarationsEtablissement', summary: 'Choix des déclarations d’un établissement', params: siretParams }),
    showLists,
  );
  app.post(
    '/gestion/declarations/:siret',
    route({
      ...doc,
      operationId: 'enregistrerDeclarationsEtablissement',
      summary: 'Enregistrer la liste des déclarations sélectionnées d’un établissement',
      params: siretParams,
      body: declarationsBodySchema,
    }),
    saveLists,
  );
}

const notFound = (req: FastifyRequest, reply: FastifyReply) =>
  respond(req, reply, {
    problem: ETABLISSEMENT_NOT_FOUND,
    page: () => (
      <MessagePage ctx={pageContext(req)} title="Établissement introuvable" type="error">
        Cet établissement est introuvable parmi ceux que vous administrez.
      </MessagePage>
    ),
  });

const listsJson = (d: EtablissementDeclarations) => ({
  siret: d.etablissement.siret,
  denomination: d.etablissement.denomination,
  ferme: d.etablissement.etatAdministratif !== 'A',
  declarations: d.selected.map((s) => ({ code: s.code, ajouteeLe: s.addedAt.toISOString(), accessibleLe: s.accessibleAt.toISOString() })),
});

interface ListsOptions {
  /** the working « sélectionnées » list of a no-JavaScript round trip */
  selected?: readonly string[];
  errors?: Record<string, string>;
  pending?: boolean;
}

/** The two lists of one établissement. */
function listsPage(req: FastifyRequest, d: EtablissementDeclarations, opts: ListsOptions = {}) {
  return () => (
    <DeclarationsListsPage
      ctx={pageContext(req)}
      siret={d.etablissement.siret}
      denomination={d.etablissement.denomination}
      raisonSociale={d.etablissement.entreprise.raisonSociale}
      closed={d.etablissement.etatAdministratif !== 'A'}
      mono={d.mono}
      selected={opts.selected ?? d.selected.map((s) => s.code)}
      opening={Object.fromEntries(d.selected.map((s) => [s.code, s.accessibleAt]))}
      now={req.server.ctx.clock.now()}
      errors={opts.errors}
      pending={opts.pending}
      notice={opts.errors ? undefined : noticeOf(req, NOTICES)}
    />
  );
}

async function showCompany(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const me = req.auth!.user;
  const company = await companyEtablissements(ctx, me);
  if (company.monoSiret) {
    const d = await declarationsOfSiret(ctx, me, company.monoSiret);
    if (!d) return notFound(req, reply);
    return respond(req, reply, { json: () => ({ mono: true, ...listsJson(d) }), page: listsPage(req, d) });
  }
  return respond(req, reply, {
    json: () => ({ mono: false, ...companyJson(company, { siege: false }) }),
    page: () => <GestionDeclarationsPage ctx={pageContext(req)} {...companyProps(company)} notice={noticeOf(req, NOTICES)} />,
  });
}

async function showLists(req: FastifyRequest, reply: FastifyReply) {
  const d = await declarationsOfSiret(req.server.ctx, req.auth!.user, param(req, 'siret'));
  if (!d) return notFound(req, reply);
  return respond(req, reply, { json: () => listsJson(d), page: listsPage(req, d) });
}

const refusal = (code: string, message: string): Failure => failure('invalid', code, message, { errors: { declarations: message } });

/**
 * The body, checked: a form must say which arrow (or « Valider ») was used; an API client sends the
 * full list. Every code must be in the catalogue.
 */
function readBody(body: unknown, fromForm: boolean): Outcome<{ data: z.infer<typeof declarationsBodySchema> }> {
  const values = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  if (fromForm && values.action === undefined)
    return refusal('action_manquante', 'Choisissez une action : une flèche pour déplacer des déclarations, ou « Valider ».');
  if (!fromForm && !Array.isArray(values.declarations))
    return refusal('liste_manquante', 'La liste des déclarations sélectionnées (declarations) est obligatoire.');
  const parsed = declarationsBodySchema.safeParse(values);
  if (!parsed.success) return refusal('requete_invalide', parsed.error.issues[0]?.message ?? 'La requête est incorrecte.');
  for (const list of [parsed.data.declarations, parsed.data.ajouter ?? [], parsed.data.retirer ?? []]) {
    const c = checkCodes(list);
    if (!c.ok) return refusal(c.problem.code, c.problem.message);
  }
  return { ok: true, data: parsed.data };
}

async function saveLists(req: FastifyRequest, reply: FastifyReply) {
  const d = await declarationsOfSiret(req.server.ctx, req.auth!.user, param(req, 'siret'));
  if (!d) return notFound(req, reply);
  const refuse = (p: Problem) =>
    respond(req, reply, { problem: refusal(p.code, p.message).problem, page: listsPage(req, d, { errors: { _form: p.message } }) });
  const body = readBody(req.body, sentForm(req));
  if (!body.ok) return refuse(body.problem);
  const { declarations, ajouter = [], retirer = [] } = body.data;
  const move = moveOf(body.data);
  if (move) return moved(req, reply, d, { move, declarations, ajouter, retirer });
  const r = await changeDeclarations(req.server.ctx, req.auth!.user, d.etablissement.siret, declarations, { ip: req.ip });
  if (!r.ok) return r.problem.kind === 'not_found' ? notFound(req, reply) : refuse(r.problem);
  const notice = r.added.length + r.removed.length > 0 ? 'enregistre' : 'aucun-changement';
  return respond(req, reply, {
    json: {
      message: NOTICES[notice],
      ajoutees: r.added,
      retirees: r.removed,
      accessibleLe: r.accessibleAt?.toISOString() ?? null,
      ...(r.accessibleAt ? { accessible: `Les déclarations ajoutées seront accessibles ${openingText(r.accessibleAt)}.` } : {}),
    },
    redirect: `/gestion/declarations/${d.etablissement.siret}`,
    notice,
  });
}

/** The form's arrows without JavaScript: the lists again with the declarations moved, nothing saved yet. */
function moved(
  req: FastifyRequest,
  reply: FastifyReply,
  d: EtablissementDeclarations,
  m: { move: DualListMove; declarations: string[]; ajouter: string[]; retirer: string[] },
) {
  if (d.etablissement.etatAdministratif !== 'A' && m.move.startsWith('ajouter')) {
    const message = 'Cet établissement est fermé dans le répertoire SIRENE : aucune déclaration ne peut lui être ajoutée.';
    return respond(req, reply, {
      problem: refusal('etablissement_ferme', message).problem,
      page: listsPage(req, d, { errors: { _form: message } }),
    });
  }
  const selected = applyDualListMove(
    m.declarations,
    DECLARATIONS.map((x) => x.code),
    m.move,
    m.ajouter,
    m.retirer,
  );
  if (!movedNothing(m.move, m.ajouter, m.retirer)) return respond(req, reply, { page: listsPage(req, d, { selected, pending: true }) });
  const message =
    m.move === 'ajouter'
      ? 'Cochez d’abord une déclaration dans la liste des déclarations disponibles.'
      : 'Cochez d’abord une déclaration dans la liste des déclarations sélectionnées.';
  return respond(req, reply, {
    problem: refusal('aucune_declaration_cochee', message).problem,
    page: listsPage(req, d, { selected, pending: true, errors: { _form: message } }),
  });
}

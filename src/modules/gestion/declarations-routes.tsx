/**
 * Routes of « Gérer les déclarations » and « Gérer les établissements » (PRODUCT.md §3.4). Each
 * route answers a browser (pages, 303 after a change) or JSON. Without JavaScript the arrows between
 * the two lists are submit buttons: the server moves the checked declarations and shows the lists
 * again, nothing is saved before « Valider ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DECLARATIONS } from '../../domain/declarations.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import { DeclarationsListsPage, GestionDeclarationsPage } from '../../web/pages/declarations.js';
import { EtablissementsPage } from '../../web/pages/etablissements.js';
import { MessagePage } from '../../web/pages/public.js';
import {
  changeDeclarations,
  checkCodes,
  companyEtablissements,
  declarationsOfSiret,
  DeclarationsError,
  openingText,
  type EtablissementDeclarations,
} from './declarations.js';
import { etablissementsOfCompany } from './etablissements.js';

const codeList = z.preprocess(
  (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(z.string({ error: 'Code de déclaration incorrect.' }).max(64, 'Code de déclaration trop long (64 caractères au maximum).'), {
      error: 'Liste de déclarations incorrecte.',
    })
    .max(100, 'Trop de déclarations envoyées (100 au maximum).'),
);
const MOVE_ACTIONS = ['ajouter', 'ajouter-tout', 'retirer', 'retirer-tout'] as const;
/** Body of POST /gestion/declarations/:siret: the full selected list; `action`/`ajouter`/`retirer` are the form's arrows. */
export const declarationsBodySchema = z.object({
  declarations: codeList.describe('La liste complète des déclarations sélectionnées (codes du catalogue), répétée'),
  action: z.enum([...MOVE_ACTIONS, 'valider'], { error: 'Action inconnue : utilisez une flèche ou « Valider ».' }).optional(),
  ajouter: codeList.optional(),
  retirer: codeList.optional(),
});

const NOTICES: Record<string, string> = {
  enregistre: 'Les déclarations de l’établissement sont enregistrées.',
  'aucun-changement': 'Aucun changement : la liste des déclarations sélectionnées était déjà celle-ci.',
};
const notice = (req: FastifyRequest) => NOTICES[String((req.query as Record<string, unknown>).notice ?? '')];
const siretParam = (req: FastifyRequest) => String((req.params as Record<string, unknown>).siret ?? '');

export async function declarationsRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const admin = { preValidation: requireUser({ admin: true }) };
  const tags = ['Espace entreprise'];

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    wantsJson(req)
      ? sendJsonErrors(reply, 404, 'Établissement introuvable.')
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Établissement introuvable" type="error">
            Cet établissement est introuvable parmi ceux que vous administrez.
          </MessagePage>,
          404,
        );

  const json = (d: EtablissementDeclarations) => ({
    siret: d.etablissement.siret,
    denomination: d.etablissement.denomination,
    ferme: d.etablissement.etatAdministratif !== 'A',
    declarations: d.selected.map((s) => ({ code: s.code, ajouteeLe: s.addedAt.toISOString(), accessibleLe: s.accessibleAt.toISOString() })),
  });

  const listsPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    d: EtablissementDeclarations,
    opts: { selected?: readonly string[]; errors?: Record<string, string>; pending?: boolean; status?: number } = {},
  ) =>
    sendPage(
      reply,
      <DeclarationsListsPage
        ctx={pageContext(req)}
        siret={d.etablissement.siret}
        denomination={d.etablissement.denomination}
        raisonSociale={d.etablissement.entreprise.raisonSociale}
        closed={d.etablissement.etatAdministratif !== 'A'}
        mono={d.mono}
        selected={opts.selected ?? d.selected.map((s) => s.code)}
        opening={Object.fromEntries(d.selected.map((s) => [s.code, s.accessibleAt]))}
        now={ctx.clock.now()}
        errors={opts.errors}
        pending={opts.pending}
        notice={opts.errors ? undefined : notice(req)}
      />,
      opts.status ?? 200,
    );

  app.get(
    '/gestion/declarations',
    { ...admin, schema: { summary: 'Gérer les déclarations : les deux listes (mono-établissement) ou la liste des établissements', tags } },
    async (req, reply) => {
      const me = req.auth!.user;
      const company = await companyEtablissements(ctx, me);
      if (company.monoSiret) {
        const d = await declarationsOfSiret(ctx, me, company.monoSiret);
        if (!d) return notFound(req, reply);
        return wantsJson(req) ? reply.send({ mono: true, ...json(d) }) : listsPage(req, reply, d);
      }
      if (wantsJson(req))
        return reply.send({
          mono: false,
          siren: company.siren,
          raisonSociale: company.raisonSociale,
          etablissements: company.etablissements.map((e) => ({
            siret: e.siret,
            denomination: e.denomination,
            adresse: e.adresse,
            ferme: e.etatAdministratif !== 'A',
            declarations: e.declarations,
          })),
        });
      return sendPage(
        reply,
        <GestionDeclarationsPage
          ctx={pageContext(req)}
          siren={company.siren}
          raisonSociale={company.raisonSociale}
          rows={company.etablissements}
          notice={notice(req)}
        />,
      );
    },
  );

  app.get(
    '/gestion/declarations/:siret',
    {
      ...admin,
      schema: { summary: 'Choix des déclarations d’un établissement', tags, params: z.object({ siret: z.string() }) },
      attachValidation: true,
    },
    async (req, reply) => {
      const d = await declarationsOfSiret(ctx, req.auth!.user, siretParam(req));
      if (!d) return notFound(req, reply);
      return wantsJson(req) ? reply.send(json(d)) : listsPage(req, reply, d);
    },
  );

  app.post(
    '/gestion/declarations/:siret',
    {
      ...admin,
      schema: {
        summary: 'Enregistrer la liste des déclarations sélectionnées d’un établissement',
        tags,
        params: z.object({ siret: z.string() }),
        body: declarationsBodySchema,
      },
      attachValidation: true,
    },
    async (req, reply) => {
      const me = req.auth!.user;
      const d = await declarationsOfSiret(ctx, me, siretParam(req));
      if (!d) return notFound(req, reply);
      const fail = (message: string, status = 400) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, message, { declarations: message })
          : listsPage(req, reply, d, { errors: { _form: message }, status });

      const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
      if (wantsJson(req) ? !Array.isArray(body.declarations) : body.action === undefined)
        return fail(
          wantsJson(req)
            ? 'La liste des déclarations sélectionnées (declarations) est obligatoire.'
            : 'Choisissez une action : une flèche pour déplacer des déclarations, ou « Valider ».',
        );
      const parsed = declarationsBodySchema.safeParse(body);
      if (!parsed.success) return fail(parsed.error.issues[0]?.message ?? 'La requête est incorrecte.');
      const { declarations, action, ajouter = [], retirer = [] } = parsed.data;
      for (const list of [declarations, ajouter, retirer]) {
        const c = checkCodes(list);
        if (!c.ok) return fail(c.message);
      }

      // The form's arrows without JavaScript: move, show the lists again, save nothing yet.
      if (action && action !== 'valider') {
        const current = new Set(declarations);
        const closed = d.etablissement.etatAdministratif !== 'A';
        if (closed && action.startsWith('ajouter'))
          return fail('Cet établissement est fermé dans le répertoire SIRENE : aucune déclaration ne peut lui être ajoutée.');
        if (action === 'ajouter') for (const c of ajouter) current.add(c);
        if (action === 'ajouter-tout') for (const x of DECLARATIONS) current.add(x.code);
        if (action === 'retirer') for (const c of retirer) current.delete(c);
        if (action === 'retirer-tout') current.clear();
        const nothingChecked = (action === 'ajouter' && ajouter.length === 0) || (action === 'retirer' && retirer.length === 0);
        return listsPage(req, reply, d, {
          selected: [...current],
          pending: true,
          ...(nothingChecked
            ? {
                errors: {
                  _form:
                    action === 'ajouter'
                      ? 'Cochez d’abord une déclaration dans la liste des déclarations disponibles.'
                      : 'Cochez d’abord une déclaration dans la liste des déclarations sélectionnées.',
                },
                status: 400,
              }
            : {}),
        });
      }

      try {
        const r = await changeDeclarations(ctx, me, d.etablissement.siret, declarations, { ip: req.ip });
        const changed = r.added.length + r.removed.length > 0;
        if (wantsJson(req))
          return reply.send({
            message: changed ? NOTICES.enregistre : NOTICES['aucun-changement'],
            ajoutees: r.added,
            retirees: r.removed,
            accessibleLe: r.accessibleAt?.toISOString() ?? null,
            ...(r.accessibleAt ? { accessible: `Les déclarations ajoutées seront accessibles ${openingText(r.accessibleAt)}.` } : {}),
          });
        return redirect(reply, `/gestion/declarations/${d.etablissement.siret}`, changed ? 'enregistre' : 'aucun-changement');
      } catch (e) {
        if (!(e instanceof DeclarationsError)) throw e;
        if (e.code === 'not_found') return notFound(req, reply);
        return fail(e.message);
      }
    },
  );

  app.get(
    '/gestion/etablissements',
    { ...admin, schema: { summary: 'Gérer les établissements : les établissements de l’entreprise (répertoire SIRENE)', tags } },
    async (req, reply) => {
      const company = await etablissementsOfCompany(ctx, req.auth!.user);
      if (wantsJson(req))
        return reply.send({
          siren: company.siren,
          raisonSociale: company.raisonSociale,
          etablissements: company.etablissements.map((e) => ({
            siret: e.siret,
            denomination: e.denomination,
            siege: e.estSiege,
            adresse: e.adresse,
            ferme: e.etatAdministratif !== 'A',
            declarations: e.declarations,
          })),
        });
      return sendPage(
        reply,
        <EtablissementsPage
          ctx={pageContext(req)}
          siren={company.siren}
          raisonSociale={company.raisonSociale}
          rows={company.etablissements}
        />,
      );
    },
  );
}

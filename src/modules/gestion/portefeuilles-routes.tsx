import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DECLARATIONS } from '../../domain/declarations.js';
import { parseBody, text, type FieldErrors } from '../../shared/fields.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import {
  ClientDeclarationsPage,
  ClientEtablissementsPage,
  CompositionPage,
  PortefeuilleDeclarantsPage,
  PortefeuilleDeclarationsPage,
  PortefeuilleDeletePage,
  PortefeuilleFormPage,
  PortefeuillesPage,
  RecapPage,
  TransferPage,
  ViewerPortefeuillePage,
  ViewerPortefeuillesPage,
} from '../../web/pages/portefeuilles.js';
import { DUAL_LIST_MOVES, applyDualListMove, emptyMoveMessage, type DualListMove } from '../../web/components/dual-list.js';
import { DECLARANT_LEGENDS, DECLARANT_NOUN } from '../../web/pages/portefeuilles.js';
import { DECLARATION_LEGENDS, DECLARATION_NOUN } from '../../web/pages/declarations.js';
import { MessagePage } from '../../web/pages/public.js';
import {
  addClient,
  chooseEtablissements,
  createPortefeuille,
  deletePortefeuille,
  declarantsOf,
  declarationsOfClient,
  declarationsOfPortefeuille,
  ensureDefaultPortefeuille,
  etablissementsOfClient,
  findClient,
  findPortefeuille,
  listClients,
  listPortefeuilles,
  portefeuilleNames,
  portefeuillesOfViewer,
  PortefeuilleError,
  recapCsv,
  recapitulatif,
  recapitulatifPage,
  removeClient,
  SEARCH_CRITERIA,
  setClientDeclarations,
  setPortefeuilleDeclarants,
  setPortefeuilleDeclarations,
  transferClient,
  typeLabel,
  updatePortefeuille,
  viewerPortefeuille,
  type Portefeuille,
  type SearchCriterion,
} from './portefeuilles.js';
import { espaceOf } from './scope.js';

const idList = (max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.string({ error: 'Valeur incorrecte.' }).max(64, 'Valeur incorrecte.'), { error: 'Valeur incorrecte.' })
      .max(max, `${max} éléments au maximum.`),
  );

/** The two lists' arrows (no-JavaScript round trip): `action` and the checked items; JSON clients send only the list. */
const dualListMove = {
  action: z.enum([...DUAL_LIST_MOVES, 'valider'], { error: 'Action inconnue : utilisez une flèche ou « Valider ».' }).optional(),
  ajouter: idList(500).optional(),
  retirer: idList(500).optional(),
};
export const portefeuilleSchema = z.object({
  name: text('Le nom du portefeuille', 100),
  comment: text('Le commentaire', 500, { optional: true }),
  declarants: idList(500).optional(),
  ...dualListMove,
});
export const declarantsSchema = z.object({ declarants: idList(500), ...dualListMove });
export const declarationsSchema = z.object({ declarations: idList(100), ...dualListMove });
const moveOf = (data: { action?: string }) => (data.action && data.action !== 'valider' ? (data.action as DualListMove) : null);
export const sirenSchema = z.object({ siren: text('Le SIREN', 30) });
export const siretsSchema = z.object({ sirets: idList(20_000) });
export const transferSchema = z.object({ cible: text('Le portefeuille de destination', 64) });

const NOTICES: Record<string, string> = {
  cree: 'Le portefeuille a été ajouté.',
  modifie: 'Le portefeuille a été modifié.',
  declarants: 'Les déclarants du portefeuille ont été enregistrés.',
  declarations: 'Les déclarations du portefeuille ont été enregistrées. Une déclaration ajoutée est accessible 24 heures après son ajout.',
  'entreprise-ajoutee': 'L’entreprise et ses établissements actifs ont été ajoutés au portefeuille.',
  etablissements: 'Les établissements de l’entreprise ont été enregistrés.',
  'declarations-entreprise': 'Les déclarations de l’entreprise ont été enregistrées.',
  transferee: 'L’entreprise a été transférée.',
  retiree: 'L’entreprise a été retirée du portefeuille.',
  supprime: 'Le portefeuille a été supprimé.',
};
const notice = (req: FastifyRequest) => NOTICES[String((req.query as Record<string, unknown>).notice ?? '')];
const meta = (req: FastifyRequest) => ({ ip: req.ip });
const INVALID = 'Le formulaire contient des erreurs.';

/** Routes of « Gérer les portefeuilles » (issue 3): administrators of a tiers-déclarant; /portefeuilles for its déclarants. */
export async function portefeuillesRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  const forbidden = (req: FastifyRequest, reply: FastifyReply, message: string) =>
    wantsJson(req)
      ? sendJsonErrors(reply, 403, message)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Accès refusé" type="error">
            {message}
          </MessagePage>,
          403,
        );
  const NOT_TIERS = 'Cette page est réservée aux tiers-déclarants (espace « Votre entreprise et vos clients »).';

  const adminGuard = requireUser({ admin: true });
  const userGuard = requireUser();
  const tiersAdmin = {
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      await adminGuard(req, reply);
      if (reply.sent) return reply;
      if ((await espaceOf(ctx.db, req.auth!.user)).kind !== 'tiers_declarant') return forbidden(req, reply, NOT_TIERS);
    },
  };
  const tiersUser = {
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      await userGuard(req, reply);
      if (reply.sent) return reply;
      if ((await espaceOf(ctx.db, req.auth!.user)).kind !== 'tiers_declarant') return forbidden(req, reply, NOT_TIERS);
    },
  };
  const doc = (summary: string, body?: z.ZodType) => ({
    schema: { summary, tags: ['Portefeuilles'], ...(body ? { body } : {}) },
    attachValidation: true,
  });

  const notFoundReply = (req: FastifyRequest, reply: FastifyReply, message = 'Ce portefeuille est introuvable.') =>
    wantsJson(req)
      ? sendJsonErrors(reply, 404, message)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Introuvable" type="error">
            {message}
          </MessagePage>,
          404,
        );

  /** Answers a use-case error: 404 page, or the form again (`rerender`) with the message by its field. */
  const failure = (req: FastifyRequest, reply: FastifyReply, e: unknown, rerender: (errors: FieldErrors, status: number) => unknown) => {
    if (!(e instanceof PortefeuilleError)) throw e;
    if (e.code === 'not_found') return notFoundReply(req, reply, e.message);
    const status = e.code === 'conflict' ? 409 : 400;
    const errors = { [e.field ?? '_form']: e.message };
    if (wantsJson(req)) return sendJsonErrors(reply, status, e.message, errors);
    return rerender(errors, status);
  };
  const done = (req: FastifyRequest, reply: FastifyReply, to: string, code: string, extra: Record<string, unknown> = {}) =>
    wantsJson(req) ? reply.send({ message: NOTICES[code], ...extra }) : redirect(reply, to, code);

  const params = (req: FastifyRequest) => req.params as { id: string; siren?: string };
  /** The caller's portefeuille of the route, or null (after answering 404). */
  const portefeuilleOf = async (req: FastifyRequest, reply: FastifyReply): Promise<Portefeuille | null> => {
    const p = await findPortefeuille(ctx.db, req.auth!.user.espaceId, params(req).id);
    if (!p) notFoundReply(req, reply);
    return p;
  };
  const clientOf = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await portefeuilleOf(req, reply);
    if (!p) return null;
    const c = await findClient(ctx.db, p.id, params(req).siren ?? '');
    if (!c) {
      notFoundReply(req, reply, 'Cette entreprise n’est pas dans ce portefeuille.');
      return null;
    }
    return { p, c };
  };

  // ── « Vos portefeuilles » ─────────────────────────────────────────────────────────────────────
  app.get(
    '/gestion/portefeuilles',
    { ...tiersAdmin, schema: { summary: 'Vos portefeuilles (critères, pages)', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const me = req.auth!.user;
      await ensureDefaultPortefeuille(ctx, me, meta(req));
      const q = req.query as Record<string, unknown>;
      const critere = (SEARCH_CRITERIA.some((c) => c.value === q.critere) ? q.critere : 'nom') as SearchCriterion;
      let valeur = typeof q.valeur === 'string' ? q.valeur.trim() : '';
      let error: string | undefined;
      if (valeur.length > 100 || /[\u0000-\u001f\u007f]/.test(valeur)) {
        error = 'La valeur recherchée est trop longue ou contient des caractères non autorisés.';
        valeur = '';
      }
      const page = Math.min(100_000, Math.max(1, Number.parseInt(String(q.page ?? '1'), 10) || 1));
      const r = await listPortefeuilles(ctx, me.espaceId, { critere, valeur, page });
      if (wantsJson(req))
        return error
          ? sendJsonErrors(reply, 400, error)
          : reply.send({ portefeuilles: r.rows, total: r.total, page: r.page, pages: r.pages });
      return sendPage(
        reply,
        <PortefeuillesPage
          ctx={pageContext(req)}
          {...r}
          critere={critere}
          valeur={valeur}
          criteria={SEARCH_CRITERIA}
          notice={notice(req)}
          error={error}
        />,
        error ? 400 : 200,
      );
    },
  );

  // ── récapitulatif (page, impression, CSV) ─────────────────────────────────────────────────────
  app.get(
    '/gestion/portefeuilles/recapitulatif',
    { ...tiersAdmin, schema: { summary: 'Récapitulatif des portefeuilles', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const print = q.impression === '1';
      if (wantsJson(req) || print) {
        const rows = await recapitulatif(ctx, req.auth!.user.espaceId);
        if (!print)
          return reply.send({
            recapitulatif: rows.map((r) => ({
              ...r,
              type: r.siren ? typeLabel(r.activeCount ?? 0) : null,
              declarations: (r.declarations ?? '').split(',').filter(Boolean),
            })),
          });
        return sendPage(reply, <RecapPage ctx={pageContext(req)} rows={rows} print />);
      }
      // On screen, 50 clients a page: a tiers with 2,000 clients gets a page in milliseconds.
      const r = await recapitulatifPage(ctx, req.auth!.user.espaceId, {
        page: Math.min(100_000, Math.max(1, Number.parseInt(String(q.page ?? '1'), 10) || 1)),
      });
      return sendPage(reply, <RecapPage ctx={pageContext(req)} rows={r.rows} print={false} page={r.page} pages={r.pages} />);
    },
  );
  app.get(
    '/gestion/portefeuilles/recapitulatif.csv',
    { ...tiersAdmin, schema: { summary: 'Récapitulatif des portefeuilles (CSV ;)', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const rows = await recapitulatif(ctx, req.auth!.user.espaceId);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="recapitulatif-portefeuilles.csv"')
        .header('cache-control', 'no-store')
        .send(recapCsv(rows));
    },
  );

  // ── « Ajout de portefeuille », modification ───────────────────────────────────────────────────
  app.get('/gestion/portefeuilles/ajouter', { ...tiersAdmin, schema: { hide: true } }, async (req, reply) => {
    const declarants = await declarantsOf(ctx, req.auth!.user.espaceId);
    return sendPage(reply, <PortefeuilleFormPage ctx={pageContext(req)} mode="create" declarants={declarants} />);
  });
  app.post(
    '/gestion/portefeuilles',
    { ...tiersAdmin, ...doc('Ajouter un portefeuille (nom, commentaire, déclarants)', portefeuilleSchema) },
    async (req, reply) => {
      const me = req.auth!.user;
      const rerender = async (errors: FieldErrors, values: Record<string, unknown>, status: number) => {
        if (wantsJson(req)) return sendJsonErrors(reply, status, INVALID, errors);
        const declarants = await declarantsOf(ctx, me.espaceId);
        return sendPage(
          reply,
          <PortefeuilleFormPage ctx={pageContext(req)} mode="create" values={values} errors={errors} declarants={declarants} />,
          status,
        );
      };
      const parsed = parseBody(portefeuilleSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors, parsed.values, 400);
      const move = wantsJson(req) ? null : moveOf(parsed.data);
      if (move) {
        const declarants = await declarantsOf(ctx, me.espaceId);
        const { ajouter = [], retirer = [] } = parsed.data;
        const working = applyDualListMove(
          parsed.data.declarants ?? [],
          declarants.map((d) => d.id),
          move,
          ajouter,
          retirer,
        );
        const message = emptyMoveMessage(move, ajouter, retirer, DECLARANT_NOUN, DECLARANT_LEGENDS);
        const values = { name: parsed.data.name, comment: parsed.data.comment, declarants: working };
        return sendPage(
          reply,
          <PortefeuilleFormPage
            ctx={pageContext(req)}
            mode="create"
            values={values}
            declarants={declarants}
            pending
            errors={message ? { _form: message } : undefined}
          />,
          message ? 400 : 200,
        );
      }
      try {
        const id = await createPortefeuille(
          ctx,
          me,
          { name: parsed.data.name, comment: parsed.data.comment, declarants: parsed.data.declarants ?? [] },
          meta(req),
        );
        return wantsJson(req) ? reply.code(201).send({ message: NOTICES.cree, id }) : redirect(reply, '/gestion/portefeuilles', 'cree');
      } catch (e) {
        return failure(req, reply, e, (errors, status) => rerender(errors, req.body as Record<string, unknown>, status));
      }
    },
  );

  app.get('/gestion/portefeuilles/:id/modifier', { ...tiersAdmin, schema: { hide: true } }, async (req, reply) => {
    const p = await portefeuilleOf(req, reply);
    if (!p) return reply;
    return sendPage(
      reply,
      <PortefeuilleFormPage ctx={pageContext(req)} mode="edit" id={p.id} values={{ name: p.name, comment: p.comment }} />,
    );
  });
  app.post(
    '/gestion/portefeuilles/:id',
    { ...tiersAdmin, ...doc('Modifier le nom et le commentaire d’un portefeuille', portefeuilleSchema) },
    async (req, reply) => {
      const id = params(req).id;
      const rerender = (errors: FieldErrors, values: Record<string, unknown>, status: number) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, INVALID, errors)
          : sendPage(reply, <PortefeuilleFormPage ctx={pageContext(req)} mode="edit" id={id} values={values} errors={errors} />, status);
      if (!(await findPortefeuille(ctx.db, req.auth!.user.espaceId, id))) return notFoundReply(req, reply);
      const parsed = parseBody(portefeuilleSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors, parsed.values, 400);
      try {
        await updatePortefeuille(ctx, req.auth!.user, id, { name: parsed.data.name, comment: parsed.data.comment }, meta(req));
        return done(req, reply, '/gestion/portefeuilles', 'modifie');
      } catch (e) {
        return failure(req, reply, e, (errors, status) => rerender(errors, req.body as Record<string, unknown>, status));
      }
    },
  );

  app.get('/gestion/portefeuilles/:id/supprimer', { ...tiersAdmin, schema: { hide: true } }, async (req, reply) => {
    const p = await portefeuilleOf(req, reply);
    if (!p) return reply;
    return sendPage(reply, <PortefeuilleDeletePage ctx={pageContext(req)} portefeuille={p} />);
  });
  app.post(
    '/gestion/portefeuilles/:id/supprimer',
    { ...tiersAdmin, ...doc('Supprimer un portefeuille vide (pas le portefeuille par défaut)') },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      try {
        await deletePortefeuille(ctx, req.auth!.user, p.id, meta(req));
        return done(req, reply, '/gestion/portefeuilles', 'supprime');
      } catch (e) {
        return failure(req, reply, e, (errors, status) =>
          sendPage(reply, <PortefeuilleDeletePage ctx={pageContext(req)} portefeuille={p} error={errors._form} />, status),
        );
      }
    },
  );

  // ── déclarants et déclarations du portefeuille ───────────────────────────────────────────────
  app.get(
    '/gestion/portefeuilles/:id/declarants',
    { ...tiersAdmin, schema: { summary: 'Déclarants du portefeuille', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      const declarants = await declarantsOf(ctx, p.espaceId, p.id);
      if (wantsJson(req)) return reply.send({ portefeuille: { id: p.id, name: p.name }, declarants });
      return sendPage(reply, <PortefeuilleDeclarantsPage ctx={pageContext(req)} portefeuille={p} declarants={declarants} />);
    },
  );
  app.post(
    '/gestion/portefeuilles/:id/declarants',
    { ...tiersAdmin, ...doc('Gérer les déclarants du portefeuille', declarantsSchema) },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      const rerender = async (errors: FieldErrors, status: number) => {
        if (wantsJson(req)) return sendJsonErrors(reply, status, INVALID, errors);
        return sendPage(
          reply,
          <PortefeuilleDeclarantsPage
            ctx={pageContext(req)}
            portefeuille={p}
            declarants={await declarantsOf(ctx, p.espaceId, p.id)}
            errors={errors}
          />,
          status,
        );
      };
      const parsed = parseBody(declarantsSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors, 400);
      const move = wantsJson(req) ? null : moveOf(parsed.data);
      if (move) {
        const declarants = await declarantsOf(ctx, p.espaceId, p.id);
        const { ajouter = [], retirer = [] } = parsed.data;
        const working = applyDualListMove(
          parsed.data.declarants,
          declarants.map((d) => d.id),
          move,
          ajouter,
          retirer,
        );
        const message = emptyMoveMessage(move, ajouter, retirer, DECLARANT_NOUN, DECLARANT_LEGENDS);
        return sendPage(
          reply,
          <PortefeuilleDeclarantsPage
            ctx={pageContext(req)}
            portefeuille={p}
            declarants={declarants}
            working={working}
            pending
            errors={message ? { _form: message } : undefined}
          />,
          message ? 400 : 200,
        );
      }
      try {
        await setPortefeuilleDeclarants(ctx, req.auth!.user, p.id, parsed.data.declarants, meta(req));
        return done(req, reply, '/gestion/portefeuilles', 'declarants');
      } catch (e) {
        return failure(req, reply, e, rerender);
      }
    },
  );

  app.get(
    '/gestion/portefeuilles/:id/declarations',
    { ...tiersAdmin, schema: { summary: 'Déclarations du portefeuille', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      const selected = await declarationsOfPortefeuille(ctx.db, p.id);
      if (wantsJson(req)) return reply.send({ portefeuille: { id: p.id, name: p.name }, declarations: selected });
      return sendPage(reply, <PortefeuilleDeclarationsPage ctx={pageContext(req)} portefeuille={p} selected={selected} />);
    },
  );
  app.post(
    '/gestion/portefeuilles/:id/declarations',
    { ...tiersAdmin, ...doc('Gérer les déclarations du portefeuille', declarationsSchema) },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      const rerender = async (errors: FieldErrors, status: number) => {
        if (wantsJson(req)) return sendJsonErrors(reply, status, INVALID, errors);
        return sendPage(
          reply,
          <PortefeuilleDeclarationsPage
            ctx={pageContext(req)}
            portefeuille={p}
            selected={await declarationsOfPortefeuille(ctx.db, p.id)}
            errors={errors}
          />,
          status,
        );
      };
      const parsed = parseBody(declarationsSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors, 400);
      const move = wantsJson(req) ? null : moveOf(parsed.data);
      if (move) {
        const { ajouter = [], retirer = [] } = parsed.data;
        const working = applyDualListMove(
          parsed.data.declarations,
          DECLARATIONS.map((d) => d.code),
          move,
          ajouter,
          retirer,
        );
        const message = emptyMoveMessage(move, ajouter, retirer, DECLARATION_NOUN, DECLARATION_LEGENDS);
        return sendPage(
          reply,
          <PortefeuilleDeclarationsPage
            ctx={pageContext(req)}
            portefeuille={p}
            selected={working}
            pending
            errors={message ? { _form: message } : undefined}
          />,
          message ? 400 : 200,
        );
      }
      try {
        const r = await setPortefeuilleDeclarations(ctx, req.auth!.user, p.id, parsed.data.declarations, meta(req));
        return done(req, reply, '/gestion/portefeuilles', 'declarations', r);
      } catch (e) {
        return failure(req, reply, e, rerender);
      }
    },
  );

  // ── « Composition du portefeuille » ───────────────────────────────────────────────────────────
  const pageOf = (req: FastifyRequest) =>
    Math.min(100_000, Math.max(1, Number.parseInt(String((req.query as Record<string, unknown>).page ?? '1'), 10) || 1));
  const composition = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Portefeuille,
    extra: { errors?: FieldErrors; siren?: unknown } = {},
    status = 200,
  ) => {
    const r = await listClients(ctx, p.id, pageOf(req));
    return sendPage(
      reply,
      <CompositionPage
        ctx={pageContext(req)}
        portefeuille={p}
        clients={r.rows}
        total={r.total}
        page={r.page}
        pages={r.pages}
        notice={notice(req)}
        {...extra}
      />,
      status,
    );
  };
  app.get(
    '/gestion/portefeuilles/:id',
    { ...tiersAdmin, schema: { summary: 'Composition du portefeuille (entreprises clientes, pages)', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      if (wantsJson(req)) {
        const r = await listClients(ctx, p.id, pageOf(req));
        return reply.send({
          portefeuille: { id: p.id, name: p.name, comment: p.comment, isDefault: p.isDefault },
          entreprises: r.rows.map((c) => ({ ...c, type: typeLabel(c.activeCount) })),
          total: r.total,
          page: r.page,
          pages: r.pages,
        });
      }
      return composition(req, reply, p);
    },
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises',
    { ...tiersAdmin, ...doc('Ajouter une entreprise au portefeuille (SIREN : tous ses établissements actifs)', sirenSchema) },
    async (req, reply) => {
      const p = await portefeuilleOf(req, reply);
      if (!p) return reply;
      const parsed = parseBody(sirenSchema, req.body);
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, INVALID, parsed.errors)
          : composition(req, reply, p, { errors: parsed.errors, siren: parsed.values.siren }, 400);
      try {
        const r = await addClient(ctx, req.auth!.user, p.id, parsed.data.siren, meta(req));
        return wantsJson(req)
          ? reply.code(201).send({ message: NOTICES['entreprise-ajoutee'], ...r })
          : redirect(reply, `/gestion/portefeuilles/${p.id}`, 'entreprise-ajoutee');
      } catch (e) {
        return failure(req, reply, e, (errors, status) => composition(req, reply, p, { errors, siren: parsed.data.siren }, status));
      }
    },
  );

  // ── per client company ────────────────────────────────────────────────────────────────────────
  app.get(
    '/gestion/portefeuilles/:id/entreprises/:siren/etablissements',
    { ...tiersAdmin, schema: { summary: 'Établissements actifs d’une entreprise cliente et ceux choisis', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const pc = await clientOf(req, reply);
      if (!pc) return reply;
      const list = await etablissementsOfClient(ctx, pc.p.id, pc.c.siren);
      if (wantsJson(req)) return reply.send({ entreprise: pc.c, etablissements: list });
      return sendPage(reply, <ClientEtablissementsPage ctx={pageContext(req)} portefeuille={pc.p} client={pc.c} etablissements={list} />);
    },
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/etablissements',
    { ...tiersAdmin, ...doc('Choisir les établissements de l’entreprise', siretsSchema) },
    async (req, reply) => {
      const pc = await clientOf(req, reply);
      if (!pc) return reply;
      const rerender = async (errors: FieldErrors, status: number) => {
        if (wantsJson(req)) return sendJsonErrors(reply, status, INVALID, errors);
        return sendPage(
          reply,
          <ClientEtablissementsPage
            ctx={pageContext(req)}
            portefeuille={pc.p}
            client={pc.c}
            etablissements={await etablissementsOfClient(ctx, pc.p.id, pc.c.siren)}
            errors={errors}
          />,
          status,
        );
      };
      const parsed = parseBody(siretsSchema, req.body);
      if (!parsed.ok) return rerender({ sirets: parsed.errors.sirets ?? INVALID }, 400);
      try {
        const r = await chooseEtablissements(ctx, req.auth!.user, pc.p.id, pc.c.siren, parsed.data.sirets, meta(req));
        return done(req, reply, `/gestion/portefeuilles/${pc.p.id}`, 'etablissements', r);
      } catch (e) {
        return failure(req, reply, e, rerender);
      }
    },
  );

  const clientDeclarationsPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    pc: { p: Portefeuille; c: { siren: string; raisonSociale: string } },
    errors?: FieldErrors,
    status = 200,
  ) => {
    const [available, present, list] = await Promise.all([
      declarationsOfPortefeuille(ctx.db, pc.p.id),
      declarationsOfClient(ctx.db, pc.p.espaceId, pc.p.id, pc.c.siren),
      etablissementsOfClient(ctx, pc.p.id, pc.c.siren),
    ]);
    const chosenCount = list.filter((e) => e.chosen).length;
    if (wantsJson(req))
      return status === 200
        ? reply.send({ entreprise: pc.c, disponibles: available, declarations: [...present.keys()] })
        : sendJsonErrors(reply, status, INVALID, errors);
    return sendPage(
      reply,
      <ClientDeclarationsPage
        ctx={pageContext(req)}
        portefeuille={pc.p}
        client={pc.c}
        available={available}
        present={present}
        chosenCount={chosenCount}
        errors={errors}
      />,
      status,
    );
  };
  app.get(
    '/gestion/portefeuilles/:id/entreprises/:siren/declarations',
    { ...tiersAdmin, schema: { summary: 'Déclarations d’une entreprise cliente', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const pc = await clientOf(req, reply);
      if (!pc) return reply;
      return clientDeclarationsPage(req, reply, pc);
    },
  );
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/declarations',
    { ...tiersAdmin, ...doc('Gérer les déclarations de l’entreprise', declarationsSchema) },
    async (req, reply) => {
      const pc = await clientOf(req, reply);
      if (!pc) return reply;
      const parsed = parseBody(declarationsSchema, req.body);
      if (!parsed.ok) return clientDeclarationsPage(req, reply, pc, parsed.errors, 400);
      try {
        const r = await setClientDeclarations(ctx, req.auth!.user, pc.p.id, pc.c.siren, parsed.data.declarations, meta(req));
        return done(req, reply, `/gestion/portefeuilles/${pc.p.id}`, 'declarations-entreprise', r);
      } catch (e) {
        return failure(req, reply, e, (errors, status) => clientDeclarationsPage(req, reply, pc, errors, status));
      }
    },
  );

  app.get('/gestion/portefeuilles/:id/entreprises/:siren/transfert', { ...tiersAdmin, schema: { hide: true } }, async (req, reply) => {
    const pc = await clientOf(req, reply);
    if (!pc) return reply;
    return sendPage(
      reply,
      <TransferPage ctx={pageContext(req)} portefeuille={pc.p} client={pc.c} targets={await portefeuilleNames(ctx, pc.p.espaceId)} />,
    );
  });
  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/transfert',
    { ...tiersAdmin, ...doc('Transférer l’entreprise vers un autre portefeuille', transferSchema) },
    async (req, reply) => {
      const pc = await clientOf(req, reply);
      if (!pc) return reply;
      const rerender = async (errors: FieldErrors, status: number) => {
        if (wantsJson(req)) return sendJsonErrors(reply, status, INVALID, errors);
        return sendPage(
          reply,
          <TransferPage
            ctx={pageContext(req)}
            portefeuille={pc.p}
            client={pc.c}
            targets={await portefeuilleNames(ctx, pc.p.espaceId)}
            errors={errors}
          />,
          status,
        );
      };
      const parsed = parseBody(transferSchema, req.body);
      if (!parsed.ok) return rerender({ cible: 'Choisissez un portefeuille de destination.' }, 400);
      try {
        const r = await transferClient(ctx, req.auth!.user, pc.p.id, pc.c.siren, parsed.data.cible, meta(req));
        return done(req, reply, `/gestion/portefeuilles/${r.target.id}`, 'transferee', { portefeuille: r.target.id });
      } catch (e) {
        return failure(req, reply, e, rerender);
      }
    },
  );

  app.post(
    '/gestion/portefeuilles/:id/entreprises/:siren/retirer',
    { ...tiersAdmin, ...doc('Retirer l’entreprise du portefeuille') },
    async (req, reply) => {
      const pc = await clientOf(req, reply);
      if (!pc) return reply;
      try {
        await removeClient(ctx, req.auth!.user, pc.p.id, pc.c.siren, meta(req));
        return done(req, reply, `/gestion/portefeuilles/${pc.p.id}`, 'retiree');
      } catch (e) {
        return failure(req, reply, e, (errors, status) => composition(req, reply, pc.p, { errors }, status));
      }
    },
  );

  // ── déclarants (and administrators) of a tiers: the portefeuilles they work on ────────────────
  app.get(
    '/portefeuilles',
    { ...tiersUser, schema: { summary: 'Les portefeuilles sur lesquels vous travaillez', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const rows = await portefeuillesOfViewer(ctx, req.auth!.user);
      if (wantsJson(req)) return reply.send({ portefeuilles: rows });
      return sendPage(reply, <ViewerPortefeuillesPage ctx={pageContext(req)} rows={rows} />);
    },
  );
  app.get(
    '/portefeuilles/:id',
    { ...tiersUser, schema: { summary: 'Les entreprises d’un de vos portefeuilles', tags: ['Portefeuilles'] } },
    async (req, reply) => {
      const p = await viewerPortefeuille(ctx, req.auth!.user, params(req).id);
      if (!p) return notFoundReply(req, reply);
      const r = await listClients(ctx, p.id, pageOf(req));
      if (wantsJson(req))
        return reply.send({
          portefeuille: { id: p.id, name: p.name },
          entreprises: r.rows.map((c) => ({ ...c, type: typeLabel(c.activeCount) })),
          total: r.total,
          page: r.page,
          pages: r.pages,
        });
      return sendPage(
        reply,
        <ViewerPortefeuillePage ctx={pageContext(req)} portefeuille={p} clients={r.rows} total={r.total} page={r.page} pages={r.pages} />,
      );
    },
  );
}

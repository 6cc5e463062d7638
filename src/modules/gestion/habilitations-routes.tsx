import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findDeclaration } from '../../domain/declarations.js';
import { parseSiret } from '../../domain/identifiers.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import {
  HabilitationsHistoryPage,
  HabilitationsImportPage,
  HabilitationsPage,
  type CriteriaValues,
} from '../../web/pages/habilitations.js';
import { MessagePage } from '../../web/pages/public.js';
import {
  applyGrid,
  checkSubmission,
  exportCsv,
  formatParis,
  HabilitationError,
  historyCsv,
  importCsv,
  listHistory,
  loadScope,
  loadGridPage,
  loadPageScope,
  type Criteria,
  type PageScope,
} from './habilitations.js';

/** 2 MB: a few thousand déclarant × SIRET lines; anything bigger is refused before parsing (413). */
export const IMPORT_BODY_LIMIT = 2 * 1024 * 1024;

const NOTICES: Record<string, string> = {
  enregistre: 'Les habilitations ont été enregistrées ; les personnes concernées ont été prévenues.',
  inchange: 'Aucune habilitation n’a changé.',
};

const list = (label: string, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().max(100, `${label} : valeur incorrecte.`)).max(max, `${label} : trop de valeurs.`),
  );

const criteriaSchema = z.object({
  // a text field (14 digits, spaces allowed): checked with parseSiret by criteriaOf
  siret: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().max(30, 'Le SIRET doit comporter 14 chiffres.')),
  declarant: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().regex(/^([0-9a-f-]{36})?$/i, 'Déclarant inconnu.')),
  service: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().regex(/^[A-Z_]{0,40}$/, 'Service inconnu.')),
  page: z.preprocess((v) => (v === undefined || v === null || v === '' ? 1 : v), z.coerce.number().int().min(1).max(100_000)),
});

export const gridSchema = z.object({
  siret: z.string().optional(),
  declarant: z.string().optional(),
  service: z.string().optional(),
  page: z.string().optional(),
  rows: list('Lignes', 200),
  declarer: list('Déclarer', 200),
  payer: list('Payer', 200),
  bascule: z.enum(['declarer', 'payer']).optional(),
});

const importFormSchema = z.object({
  csv: z.string({ error: 'Collez le contenu du fichier CSV.' }).max(IMPORT_BODY_LIMIT, 'Le fichier dépasse 2 Mo.'),
});

/** The criteria, or null when malformed; a SIRET that is not 14 valid digits is a 400 with its message. */
function criteriaOf(raw: unknown): Criteria | null {
  const r = criteriaSchema.safeParse(raw && typeof raw === 'object' ? raw : {});
  if (!r.success) return null;
  if (r.data.siret.trim() === '') return { ...r.data, siret: '' };
  const siret = parseSiret(r.data.siret);
  if (!siret.ok) throw new HabilitationError(400, `Siret : ${siret.message}`);
  return { ...r.data, siret: siret.value };
}

/** criteriaOf, its HabilitationError as a value */
function criteriaOrError(raw: unknown): Criteria | HabilitationError {
  try {
    return criteriaOf(raw) ?? new HabilitationError(400, 'Les critères de recherche sont incorrects.');
  } catch (e) {
    if (e instanceof HabilitationError) return e;
    throw e;
  }
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

/** Routes of « Gérer les habilitations » (issue 3). */
export async function habilitationsRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const admin = { preValidation: requireUser({ admin: true }) };

  // API clients may send the CSV itself (text/csv); browsers post the textarea (form).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  // A body over the limit is refused before it is read: a French message, in the page or in JSON.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err.statusCode !== 413) throw err;
    const message = 'Le fichier dépasse la taille maximale de 2 Mo : découpez-le en plusieurs fichiers, un par période de 48 heures.';
    if (req.headers.accept?.includes('text/html'))
      return reply
        .code(413)
        .type('text/html; charset=utf-8')
        .send(
          `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Fichier trop volumineux - net-entreprises</title><link rel="stylesheet" href="/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-py-4w" role="main"><h1>Fichier trop volumineux</h1><p>${message}</p><p><a class="fr-link" href="/gestion/habilitations/import">Retour à l’import des habilitations</a></p></main></body></html>`,
        );
    return reply.code(413).send({ message, errors: {} });
  });

  /** Answers a HabilitationError as a page or JSON. */
  const failure = (req: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (!(e instanceof HabilitationError)) throw e;
    if (wantsJson(req) || !req.headers.accept?.includes('text/html'))
      return reply
        .code(e.status)
        .send({ message: e.message, errors: {}, rapport: e.report.map((r) => ({ ligne: r.line, message: r.message })) });
    const title = e.status === 404 ? 'Introuvable' : e.status === 403 ? 'Accès refusé' : 'Demande refusée';
    return sendPage(
      reply,
      <MessagePage ctx={pageContext(req)} title={title} type="error">
        {e.message}
      </MessagePage>,
      e.status,
    );
  };

  const renderGrid = async (
    req: FastifyRequest,
    reply: FastifyReply,
    c: Criteria,
    extra: { searched: boolean; status?: number; info?: string; error?: string; override?: { declarer: Set<string>; payer: Set<string> } },
  ) => {
    const user = req.auth!.user;
    const { scope, grid } = await ctx.db.transaction(async (tx) => {
      // only what the page needs: the persons, the services, and the 50 rows of the page
      const scope = await loadPageScope(tx, user);
      const grid = extra.searched ? await loadGridPage(tx, scope, c) : undefined;
      return { scope, grid };
    });
    if (grid && extra.override)
      for (const r of grid.rows)
        ((r.declarer = extra.override.declarer.has(r.key)), (r.payer = r.payable && extra.override.payer.has(r.key)));
    if (wantsJson(req))
      return reply.code(extra.status ?? 200).send({
        criteres: { siret: c.siret, declarant: c.declarant, service: c.service },
        page: grid?.page ?? 1,
        pages: grid?.pages ?? 1,
        total: grid?.total ?? 0,
        lignes: (grid?.rows ?? []).map((r) => ({
          cle: r.key,
          service: r.code,
          siret: r.siret,
          declarant: r.userId,
          declarer: r.declarer,
          payer: r.payable ? r.payer : null,
        })),
      });
    const criteria: CriteriaValues = { siret: c.siret, declarant: c.declarant, service: c.service };
    const notice = NOTICES[String((req.query as Record<string, unknown>).notice ?? '')];
    return sendPage(
      reply,
      <HabilitationsPage
        ctx={pageContext(req)}
        options={optionsOf(scope, user)}
        criteria={criteria}
        searched={extra.searched}
        grid={grid}
        notice={notice}
        info={extra.info}
        error={extra.error}
      />,
      extra.status ?? 200,
    );
  };

  app.get(
    '/gestion/habilitations',
    {
      ...admin,
      schema: {
        summary: 'Gérer les habilitations : critères et grille',
        tags: ['Gestion'],
        querystring: criteriaSchema.partial().extend({ recherche: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const c = criteriaOrError(q);
      if (c instanceof HabilitationError) return failure(req, reply, c);
      const searched = q.recherche !== undefined || q.page !== undefined || Boolean(c.siret || c.declarant || c.service) || wantsJson(req);
      try {
        return await renderGrid(req, reply, c, { searched });
      } catch (e) {
        return failure(req, reply, e);
      }
    },
  );

  app.post(
    '/gestion/habilitations',
    {
      ...admin,
      schema: { summary: 'Gérer les habilitations : « Valider » la page de la grille', tags: ['Gestion'], body: gridSchema },
      attachValidation: true,
    },
    async (req, reply) => {
      const parsed = gridSchema.safeParse(req.body && typeof req.body === 'object' ? req.body : {});
      const c = criteriaOrError(req.body);
      if (!parsed.success || c instanceof HabilitationError)
        return failure(req, reply, new HabilitationError(400, 'La grille envoyée est incorrecte. Rien n’a été enregistré.'));
      const sub = { rows: parsed.data.rows, declarer: parsed.data.declarer, payer: parsed.data.payer };
      try {
        if (parsed.data.bascule) {
          // « Tout (dé)cocher » without JavaScript: the same page, the column toggled, nothing saved yet.
          const scope = await loadScope(ctx.db, req.auth!.user);
          checkSubmission(scope, sub);
          const col = parsed.data.bascule;
          const checked = new Set(col === 'declarer' ? sub.declarer : sub.payer);
          const all = sub.rows.every((k) => checked.has(k));
          const toggled = new Set(all ? [] : sub.rows);
          const override =
            col === 'declarer' ? { declarer: toggled, payer: new Set(sub.payer) } : { declarer: new Set(sub.declarer), payer: toggled };
          return await renderGrid(req, reply, c, {
            searched: true,
            override,
            info: 'La colonne a été (dé)cochée : vérifiez puis cliquez sur « Valider » pour enregistrer.',
          });
        }
        const r = await applyGrid(ctx, req.auth!.user, sub, req.ip);
        if (wantsJson(req))
          return reply.send({
            message: r.changes ? 'Les habilitations ont été enregistrées.' : 'Aucune habilitation n’a changé.',
            modifications: r.changes,
          });
        const q = new URLSearchParams();
        if (c.siret) q.set('siret', c.siret);
        if (c.declarant) q.set('declarant', c.declarant);
        if (c.service) q.set('service', c.service);
        q.set('page', String(c.page));
        return redirect(reply, `/gestion/habilitations?${q.toString()}`, r.changes ? 'enregistre' : 'inchange');
      } catch (e) {
        return failure(req, reply, e);
      }
    },
  );

  app.get(
    '/gestion/habilitations/historique',
    { ...admin, schema: { summary: 'Historique des habilitations', tags: ['Gestion'] } },
    async (req, reply) => {
      const page = Number((req.query as Record<string, unknown>).page ?? 1);
      try {
        const h = await listHistory(ctx.db, req.auth!.user, { page: Number.isInteger(page) && page > 0 ? page : 1 });
        if (wantsJson(req)) return reply.send({ ...h, entries: h.entries.map((e) => ({ ...e, at: e.at.toISOString() })) });
        const rows = h.entries.map((e) => ({
          id: e.id,
          at: formatParis(e.at),
          actor: e.actor,
          person: e.person,
          siret: e.siret,
          service: findDeclaration(e.code)?.name ?? e.code,
          declarer: e.declarer,
          payer: e.payer,
          payable: findDeclaration(e.code)?.payable ?? false,
        }));
        return sendPage(
          reply,
          <HabilitationsHistoryPage ctx={pageContext(req)} rows={rows} page={h.page} pages={h.pages} total={h.total} />,
        );
      } catch (e) {
        return failure(req, reply, e);
      }
    },
  );

  app.get(
    '/gestion/habilitations/historique.csv',
    { ...admin, schema: { summary: 'Historique des habilitations (CSV)', tags: ['Gestion'] } },
    async (req, reply) => {
      try {
        const h = await listHistory(ctx.db, req.auth!.user, { page: 1, all: true });
        return csvReply(reply, 'historique-habilitations.csv', historyCsv(h.entries));
      } catch (e) {
        return failure(req, reply, e);
      }
    },
  );

  app.get(
    '/gestion/habilitations/export.csv',
    { ...admin, schema: { summary: 'Exporter les habilitations (CSV, séparateur ;)', tags: ['Gestion'] } },
    async (req, reply) => {
      try {
        const csv = await ctx.db.transaction((tx) => exportCsv(tx, req.auth!.user));
        return csvReply(reply, 'habilitations.csv', csv);
      } catch (e) {
        return failure(req, reply, e);
      }
    },
  );

  app.get('/gestion/habilitations/import', { ...admin, schema: { hide: true } }, async (req, reply) => {
    const notice = (req.query as Record<string, unknown>).notice;
    const n = typeof notice === 'string' && /^\d{1,6}-\d{1,7}$/.test(notice) ? notice.split('-') : null;
    return sendPage(
      reply,
      <HabilitationsImportPage
        ctx={pageContext(req)}
        notice={
          n
            ? `Import terminé : ${n[0]} ligne(s) lue(s), ${n[1]} habilitation(s) modifiée(s). Les personnes concernées ont été prévenues.`
            : undefined
        }
      />,
    );
  });

  app.post(
    '/gestion/habilitations/import',
    {
      ...admin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: { summary: 'Importer des habilitations (CSV en text/csv, ou champ csv du formulaire)', tags: ['Gestion'] },
      attachValidation: true,
    },
    async (req, reply) => {
      const isCsvBody = typeof req.body === 'string';
      let text: string;
      if (isCsvBody) text = req.body as string;
      else {
        const p = importFormSchema.safeParse(req.body && typeof req.body === 'object' ? req.body : {});
        if (!p.success)
          return importFailure(
            req,
            reply,
            new HabilitationError(400, p.error.issues[0]?.message ?? 'Collez le contenu du fichier CSV.'),
            '',
          );
        text = p.data.csv;
      }
      try {
        const r = await importCsv(ctx, req.auth!.user, text, req.ip);
        const message = r.changes
          ? `Import terminé : ${r.lines} ligne(s) lue(s), ${r.changes} habilitation(s) modifiée(s).`
          : 'Le fichier est correct mais ne modifie aucune habilitation : rien n’a été appliqué.';
        if (isCsvBody || wantsJson(req)) return reply.send({ message, lignes: r.lines, modifications: r.changes });
        if (!r.changes) return sendPage(reply, <HabilitationsImportPage ctx={pageContext(req)} csv={text} notice={message} />);
        return redirect(reply, '/gestion/habilitations/import', `${r.lines}-${r.changes}`);
      } catch (e) {
        return importFailure(req, reply, e, isCsvBody ? '' : text);
      }
    },
  );

  const importFailure = (req: FastifyRequest, reply: FastifyReply, e: unknown, text: string) => {
    if (!(e instanceof HabilitationError)) throw e;
    if (e.status === 403 || e.status === 404 || typeof req.body === 'string' || wantsJson(req)) return failure(req, reply, e);
    const shown = text.length > 200_000 ? '' : text;
    return sendPage(reply, <HabilitationsImportPage ctx={pageContext(req)} csv={shown} error={e.message} report={e.report} />, e.status);
  };
}

function csvReply(reply: FastifyReply, filename: string, body: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

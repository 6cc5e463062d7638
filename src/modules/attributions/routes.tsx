/**
 * SOLTéA employer space (PRODUCT.md §4.4): for one SIRET the person acts for, « Recherche
 * établissement », the « Attribuer » page of an establishment, the « Synthèse » and its actions, the
 * « Historique », the CSV of the choices, and the JSON API that does the same for payroll and
 * accounting software.
 *
 * Every route takes the SIRET from the URL and goes through `loadEmployer` (scope.ts): a SIRET that is
 * not open to the person (other company, no habilitation, delay running, a tiers-déclarant's client
 * whose DSN it did not file in the last six months, tampered URL) answers 404 and nothing changes.
 * Forms answer 303 after a change, the page again with French messages and 400 on a broken rule, 409
 * on a stale form; every change goes through `changeChoices` (choix.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parsePercent } from '../../domain/money.js';
import { formatEurosPlain, formatPercent } from '../../shared/format.js';
import { type FieldErrors } from '../../shared/fields.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import { MessagePage } from '../../web/pages/public.js';
import {
  AttribuerPage,
  cibleOf,
  EmployerSearchPage,
  employerUrl,
  GroupesPage,
  HistoriquePage,
  SynthesePage,
  type EmployerHeader,
  type SyntheseProps,
} from '../../web/pages/soltea-employeur-espace.js';
import { formatCsv } from '../gestion/habilitations-csv.js';
import { currentCampaign } from '../campagnes/repository.js';
import { parseCriteria } from '../recherche/criteria.js';
import { diplomeTypes, searchEtablissements } from '../recherche/search.js';
import {
  changeChoices,
  loadSynthese,
  setPartage,
  type Actor,
  type ChangeResult,
  type ChoiceChange,
  type Synthese,
  type TargetShare,
} from './choix.js';
import { createGroup, deleteGroup, groupsOf } from './groupes.js';
import { historyYears, replicationItems } from './history.js';
import { employerSirets, type EmployerSiret } from './scope.js';
import { establishmentTargets } from './targets.js';

const tags = ['SOLTéA - Employeurs'];

const NOTICES: Record<string, string> = {
  choix: 'Vos choix sont ajoutés à la synthèse. Vérifiez-les, puis cliquez sur « Enregistrer vos attributions ».',
  modifie: 'Le pourcentage est modifié. Cliquez sur « Enregistrer vos attributions » pour l’enregistrer.',
  supprime: 'L’attribution est supprimée.',
  enregistre: 'Vos attributions sont enregistrées. Elles seront versées aux établissements à la prochaine vague de versement.',
  'partage-oui': 'Les établissements que vous avez choisis verront le nom et le SIRET de votre entreprise.',
  'partage-non': 'Les établissements que vous avez choisis ne verront plus le nom de votre entreprise.',
  'rien-a-repliquer': 'Vous n’aviez fait aucune attribution à la campagne précédente : il n’y a rien à répliquer.',
  'deja-replique': 'Tous vos fléchages de la campagne précédente figurent déjà dans votre synthèse.',
  'groupe-cree': 'Le groupe est créé : les choix du SIRET de référence s’appliquent désormais à tous ses SIRET.',
  'groupe-dissous': 'Le groupe est dissous : chaque SIRET garde ses attributions actuelles et peut les modifier seul.',
};

const param = (req: FastifyRequest, name: string) => String((req.params as Record<string, unknown>)[name] ?? '');
const bodyOf = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

/** The version the form was built from; a form without one (or a broken one) is treated as stale. */
function versionOf(body: Record<string, unknown>, json: boolean): number | null | 'invalide' {
  const v = body.version;
  if (v === undefined || v === null || v === '') return json ? null : 'invalide';
  const n = typeof v === 'number' ? v : /^\d{1,9}$/.test(String(v)) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : 'invalide';
}

export function syntheseJson(s: Synthese) {
  const cents = (c: bigint | null) => (c === null ? null : Number(c));
  return {
    campagne: s.annee,
    siret: s.siret,
    version: s.version,
    phase: s.phase.phase,
    modifiable: s.modifiable.ok
      ? { ok: true, periode: s.modifiable.periode }
      : { ok: false, message: s.modifiable.message, reference: s.modifiable.reference },
    enveloppe: s.enveloppe
      ? {
          collecteur: s.enveloppe.collecteur,
          soldeCentimes: cents(s.enveloppe.soldeCents),
          deductionsCentimes: cents(s.enveloppe.deductionsCents),
          fraisCentimes: cents(s.enveloppe.fraisCents),
          reportCentimes: cents(s.enveloppe.reportCents),
          creditsCentimes: cents(s.enveloppe.creditsCents),
          partageCoordonnees: s.enveloppe.partage,
        }
      : null,
    attributions: s.lines.map((l) => ({
      id: l.id,
      etablissementId: l.etablissementId,
      formationId: l.formationId,
      beneficiaire: l.target
        ? { siret: l.target.siret, libelle: l.target.libelle, type: l.target.kind, listeNationale: l.target.national }
        : null,
      pointsDeBase: l.pointsBase,
      pourcentage: formatPercent(l.pointsBase).replace('\u00a0', ' '),
      montantAttenduCentimes: cents(l.montantCents),
      statut: l.statut,
      valideeLe: l.valideeLe?.toISOString() ?? null,
    })),
    totalPointsDeBase: s.totalBp,
    listeNationalePointsDeBase: s.nationalBp,
    restePointsDeBase: s.resteBp,
    attribueCentimes: cents(s.attribueCents),
    nonAttribueCentimes: cents(s.nonAttribueCents),
    aEnregistrer: s.aValider,
    validationTotalePeriode: s.validationTotalePeriode,
    groupe: s.groupe,
  };
}

export function syntheseCsv(s: Synthese): string {
  const header = [
    'Campagne',
    'SIRET employeur',
    'SIRET bénéficiaire',
    'Bénéficiaire',
    'Formation',
    'Liste',
    'Pourcentage',
    'Montant attendu (€)',
    'Statut',
  ];
  const rows = s.lines.map((l) => [
    String(s.annee),
    s.siret,
    l.target?.siret ?? '',
    l.target?.kind === 'formation' ? l.target.libelle.split(' — ')[0]! : (l.target?.libelle ?? ''),
    l.target?.kind === 'formation' ? l.target.libelle.split(' — ').slice(1).join(' — ') : '',
    l.target?.national ? 'Nationale' : 'Régionale',
    formatPercent(l.pointsBase).replace('\u00a0', ' '),
    l.montantCents === null ? '' : formatEurosPlain(l.montantCents),
    l.statut === 'validee' ? 'Validée' : 'Enregistrée, non validée',
  ]);
  return formatCsv(header, rows);
}

export async function attributionsRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const signedIn = { preValidation: requireUser() };
  const siretParams = z.object({ siret: z.string().max(20).describe('SIRET de l’employeur (14 chiffres)') });

  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    const msg = 'Ce SIRET est introuvable parmi ceux pour lesquels vous pouvez répartir le solde de la taxe d’apprentissage.';
    return wantsJson(req)
      ? sendJsonErrors(reply, 404, msg)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="SIRET introuvable" type="error">
            {msg}
          </MessagePage>,
          404,
        );
  };

  /** The employer SIRET of the URL for the signed-in person, or the 404 already sent. */
  const resolve = async (
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ head: EmployerHeader; annee: number; actor: Actor; siret: string; all: EmployerSiret[] } | null> => {
    const siret = param(req, 'siret');
    const campaign = await currentCampaign(ctx);
    const all: EmployerSiret[] = /^\d{14}$/.test(siret) ? await employerSirets(ctx, req.auth!.user, campaign.annee) : [];
    const s = all.find((x) => x.siret === siret);
    if (!s || s.indisponible !== null) {
      await notFound(req, reply);
      return null;
    }
    const user = req.auth!.user;
    return {
      siret,
      all,
      annee: campaign.annee,
      actor: { userId: user.id, espaceId: user.espaceId, ip: req.ip },
      head: { siret, denomination: s.denomination, annee: campaign.annee, several: all.length > 1, client: s.via === 'client' },
    };
  };

  const noticeOf = (req: FastifyRequest) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const n = str(q.notice);
    if (n.startsWith('replique-')) {
      const [, added, skipped] = n.split('-');
      return `${added} fléchage${added === '1' ? '' : 's'} de la campagne précédente ${added === '1' ? 'est ajouté' : 'sont ajoutés'} à votre synthèse${skipped && skipped !== '0' ? ` ; ${skipped} ne ${skipped === '1' ? 'peut' : 'peuvent'} pas l’être (établissement ou formation qui n’est plus habilité)` : ''}. Vérifiez les pourcentages, puis enregistrez vos attributions.`;
    }
    return NOTICES[n];
  };

  /** Sends the Synthèse (page or JSON) with an optional error. */
  const sendSynthese = async (
    req: FastifyRequest,
    reply: FastifyReply,
    r: { head: EmployerHeader; annee: number; siret: string },
    extra: Partial<SyntheseProps> = {},
    status = 200,
  ) => {
    const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
    if (wantsJson(req)) return reply.code(status).send(syntheseJson(s));
    const notice = noticeOf(req);
    return sendPage(reply, <SynthesePage ctx={pageContext(req)} head={r.head} s={s} {...(notice ? { notice } : {})} {...extra} />, status);
  };

  /** The answer to a refused change: JSON errors, or the Synthèse with the messages. */
  const refused = (
    req: FastifyRequest,
    reply: FastifyReply,
    r: { head: EmployerHeader; annee: number; siret: string },
    res: Extract<ChangeResult, { ok: false }>,
    extra: Partial<SyntheseProps> = {},
  ) => {
    const title = res.status === 409 ? 'Votre saisie n’a pas été enregistrée' : 'Vos attributions n’ont pas été modifiées';
    if (wantsJson(req)) return reply.code(res.status).send({ message: res.errors.map((e) => e.message).join(' '), erreurs: res.errors });
    return sendSynthese(
      req,
      reply,
      r,
      { alert: { type: 'error', title, messages: res.errors.map((e) => e.message) }, ...extra },
      res.status,
    );
  };

  // ── Synthèse ───────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/soltea/employeur/:siret',
    {
      ...signedIn,
      schema: {
        summary: 'Synthèse : crédits à répartir, attributions (pourcentage, montant attendu, statut), calendrier',
        tags,
        params: siretParams,
        querystring: z.object({ modifier: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const m = str(((req.query ?? {}) as Record<string, unknown>).modifier);
      if (m && /^\d{1,15}$/.test(m) && !wantsJson(req)) {
        const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
        const line = s.lines.find((l) => l.id === Number(m));
        if (line) {
          return sendPage(
            reply,
            <SynthesePage
              ctx={pageContext(req)}
              head={r.head}
              s={s}
              modifier={{ id: line.id, value: formatPercent(line.pointsBase).replace(/\u00a0%$/, '') }}
            />,
          );
        }
      }
      return sendSynthese(req, reply, r);
    },
  );

  app.get(
    '/soltea/employeur/:siret/synthese.csv',
    {
      ...signedIn,
      schema: {
        summary: 'La synthèse en CSV (séparateur « ; », UTF-8 avec BOM)',
        tags,
        params: siretParams,
        querystring: z.object({ annee: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const a = str(((req.query ?? {}) as Record<string, unknown>).annee);
      const annee = /^\d{4}$/.test(a) ? Number(a) : r.annee;
      const s = await loadSynthese(ctx.db, ctx.clock.now(), annee, r.siret);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="soltea-attributions-${r.siret}-${annee}.csv"`)
        .header('cache-control', 'no-store')
        .send(syntheseCsv(s));
    },
  );

  // « Modifier » → « Valider mon attribution »
  app.post(
    '/soltea/employeur/:siret/attributions/:id',
    {
      ...signedIn,
      schema: {
        summary: 'Modifier le pourcentage d’une attribution (« Valider mon attribution »)',
        tags,
        params: siretParams.extend({ id: z.string().max(20) }),
      },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const body = bodyOf(req);
      const id = param(req, 'id');
      const typed = str(body.pourcentage);
      const version = versionOf(body, wantsJson(req));
      if (version === 'invalide')
        return refused(req, reply, r, {
          ok: false,
          status: 409,
          errors: [{ code: 'version_perimee', message: 'Le formulaire est incomplet : rechargez la synthèse et recommencez.' }],
        });
      const p = parsePercent(typed);
      if (!/^\d{1,15}$/.test(id)) return notFound(req, reply);
      if (!p.ok) {
        if (wantsJson(req)) return sendJsonErrors(reply, 400, p.message, { pourcentage: p.message });
        const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
        return sendPage(
          reply,
          <SynthesePage
            ctx={pageContext(req)}
            head={r.head}
            s={s}
            modifier={{ id: Number(id), value: typed.slice(0, 20), error: p.message }}
            errors={{ pourcentage: p.message }}
          />,
          400,
        );
      }
      const res = await changeChoices(ctx, {
        annee: r.annee,
        siret: r.siret,
        actor: r.actor,
        expectedVersion: version,
        change: { kind: 'modifier', id: Number(id), bp: p.bp },
      });
      if (!res.ok)
        return refused(
          req,
          reply,
          r,
          res,
          res.status === 400 ? { modifier: { id: Number(id), value: typed.slice(0, 20), error: res.errors[0]!.message } } : {},
        );
      if (wantsJson(req)) return sendSynthese(req, reply, r);
      return redirect(reply, `${employerUrl(r.siret)}`, 'modifie');
    },
  );

  app.post(
    '/soltea/employeur/:siret/attributions/:id/supprimer',
    { ...signedIn, schema: { summary: 'Supprimer une attribution', tags, params: siretParams.extend({ id: z.string().max(20) }) } },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const id = param(req, 'id');
      if (!/^\d{1,15}$/.test(id)) return notFound(req, reply);
      const version = versionOf(bodyOf(req), wantsJson(req));
      if (version === 'invalide')
        return refused(req, reply, r, {
          ok: false,
          status: 409,
          errors: [{ code: 'version_perimee', message: 'Le formulaire est incomplet : rechargez la synthèse et recommencez.' }],
        });
      const res = await changeChoices(ctx, {
        annee: r.annee,
        siret: r.siret,
        actor: r.actor,
        expectedVersion: version,
        change: { kind: 'supprimer', id: Number(id) },
      });
      if (!res.ok) return refused(req, reply, r, res);
      if (wantsJson(req)) return sendSynthese(req, reply, r);
      return redirect(reply, employerUrl(r.siret), 'supprime');
    },
  );

  // « Enregistrer vos attributions »
  app.post(
    '/soltea/employeur/:siret/enregistrer',
    { ...signedIn, schema: { summary: 'Enregistrer vos attributions : toutes les lignes sont validées', tags, params: siretParams } },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const version = versionOf(bodyOf(req), wantsJson(req));
      if (version === 'invalide')
        return refused(req, reply, r, {
          ok: false,
          status: 409,
          errors: [{ code: 'version_perimee', message: 'Le formulaire est incomplet : rechargez la synthèse et recommencez.' }],
        });
      const res = await changeChoices(ctx, {
        annee: r.annee,
        siret: r.siret,
        actor: r.actor,
        expectedVersion: version,
        change: { kind: 'valider' },
      });
      if (!res.ok) return refused(req, reply, r, res);
      if (wantsJson(req)) return sendSynthese(req, reply, r);
      return redirect(reply, employerUrl(r.siret), 'enregistre');
    },
  );

  // the whole set at once, for software
  const remplacerBody = z.object({
    version: z
      .number()
      .int()
      .optional()
      .describe('Version de la synthèse lue (refus 409 si elle a changé) ; sans version, l’ensemble remplace ce qui existe'),
    valider: z
      .boolean()
      .optional()
      .describe('Valider les attributions dans le même pas (« Enregistrer vos attributions »), vrai par défaut'),
    attributions: z
      .array(
        z.object({
          etablissementId: z.number().int(),
          formationId: z.number().int().nullable().optional(),
          pourcentage: z.string().max(20).describe('« 12,5 » ou « 12.5 »'),
        }),
      )
      .max(2000),
  });
  app.put(
    '/soltea/employeur/:siret/attributions',
    {
      ...signedIn,
      schema: {
        summary: 'Remplacer l’ensemble des attributions du SIRET (API), toutes les règles vérifiées, tout ou rien',
        tags,
        params: siretParams,
        body: remplacerBody,
      },
      attachValidation: true,
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const parsed = remplacerBody.safeParse(req.body);
      if (!parsed.success)
        return sendJsonErrors(
          reply,
          400,
          'Le corps de la requête est incorrect : { version?, valider?, attributions: [{ etablissementId, formationId?, pourcentage }] }.',
        );
      const errors: FieldErrors = {};
      const items: TargetShare[] = [];
      parsed.data.attributions.forEach((a, i) => {
        const p = parsePercent(a.pourcentage);
        if (!p.ok) errors[`attributions.${i}.pourcentage`] = `Ligne ${i + 1} : ${p.message}`;
        else items.push({ target: { etablissementId: a.etablissementId, formationId: a.formationId ?? null }, bp: p.bp });
      });
      if (Object.keys(errors).length) return sendJsonErrors(reply, 400, 'Un pourcentage est incorrect : rien n’a été enregistré.', errors);
      const res = await changeChoices(ctx, {
        annee: r.annee,
        siret: r.siret,
        actor: r.actor,
        expectedVersion: parsed.data.version ?? null,
        change: { kind: 'remplacer', items, valider: parsed.data.valider ?? true },
        source: 'api',
      });
      if (!res.ok) return reply.code(res.status).send({ message: res.errors.map((e) => e.message).join(' '), erreurs: res.errors });
      const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
      return reply.send(syntheseJson(s));
    },
  );

  // « Répliquer les fléchages »
  app.post(
    '/soltea/employeur/:siret/repliquer',
    { ...signedIn, schema: { summary: 'Répliquer les fléchages de la campagne précédente dans la synthèse', tags, params: siretParams } },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const version = versionOf(bodyOf(req), wantsJson(req));
      if (version === 'invalide')
        return refused(req, reply, r, {
          ok: false,
          status: 409,
          errors: [{ code: 'version_perimee', message: 'Le formulaire est incomplet : rechargez la synthèse et recommencez.' }],
        });
      const rep = await replicationItems(ctx.db, r.annee, r.siret);
      if (rep.previous === 0)
        return wantsJson(req)
          ? reply.send({ ajoutees: 0, ignorees: 0, message: NOTICES['rien-a-repliquer'] })
          : redirect(reply, employerUrl(r.siret), 'rien-a-repliquer');
      if (rep.items.length === 0) {
        const msg = `Aucun fléchage de la campagne précédente ne peut être répliqué : ${rep.skipped > 1 ? `les ${rep.skipped} établissements ou formations ne sont plus habilités` : 'l’établissement ou la formation n’est plus habilité'} pour la campagne ${r.annee}.`;
        return refused(req, reply, r, { ok: false, status: 400, errors: [{ code: 'rien_a_repliquer', message: msg }] });
      }
      // 'completer' leaves the targets already chosen as they are: `added` counts what was brought back
      const res = await changeChoices(ctx, {
        annee: r.annee,
        siret: r.siret,
        actor: r.actor,
        expectedVersion: version,
        change: { kind: 'completer', items: rep.items },
        source: 'repliquer',
      });
      if (!res.ok) return refused(req, reply, r, res);
      if (wantsJson(req))
        return reply.send({
          ajoutees: res.added,
          ignorees: rep.skipped,
          ...(res.added || rep.skipped ? {} : { message: NOTICES['deja-replique'] }),
        });
      return redirect(reply, employerUrl(r.siret), res.added || rep.skipped ? `replique-${res.added}-${rep.skipped}` : 'deja-replique');
    },
  );

  // « Partage de coordonnées »
  app.post(
    '/soltea/employeur/:siret/partage',
    { ...signedIn, schema: { summary: 'Partage de coordonnées avec les établissements choisis (oui / non)', tags, params: siretParams } },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const v = bodyOf(req).partage;
      const partage = v === true || v === 'oui' || v === 'true';
      const ok = await setPartage(ctx, r.annee, r.siret, partage, r.actor);
      if (!ok)
        return refused(req, reply, r, {
          ok: false,
          status: 400,
          errors: [
            { code: 'sans_enveloppe', message: 'Aucun solde n’est à répartir pour ce SIRET : il n’y a pas de coordonnées à partager.' },
          ],
        });
      if (wantsJson(req)) return reply.send({ partageCoordonnees: partage });
      return redirect(reply, employerUrl(r.siret), partage ? 'partage-oui' : 'partage-non');
    },
  );

  // ── « Recherche établissement » and « Attribuer » ──────────────────────────────────────────────
  app.get(
    '/soltea/employeur/:siret/recherche',
    {
      ...signedIn,
      schema: { summary: 'Recherche d’établissements habilités, depuis l’espace d’un SIRET employeur', tags, params: siretParams },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const query = (req.query ?? {}) as Record<string, unknown>;
      const parsed = parseCriteria(query);
      const wrong = Object.keys(parsed.errors).length > 0;
      const outcome =
        !wrong && parsed.submitted
          ? await searchEtablissements(ctx.db, { ...parsed.criteria, annee: parsed.criteria.annee ?? r.annee })
          : null;
      if (wantsJson(req))
        return reply.redirect(
          `/soltea/recherche?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`,
          303,
        );
      const values = Object.fromEntries(
        Object.entries(query).map(([k, v]) => [k, String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, 200)]),
      );
      const view = {
        criteria: parsed.criteria,
        values,
        errors: { ...(outcome?.fieldMessages ?? {}), ...parsed.errors },
        invalid: wrong,
        notices: parsed.notices,
        outcome: outcome ?? undefined,
        types: await diplomeTypes(ctx.db),
      };
      for (const [k, m] of Object.entries(outcome?.fieldMessages ?? {})) if (m.includes('ignoré')) delete view.errors[k];
      return sendPage(reply, <EmployerSearchPage ctx={pageContext(req)} head={r.head} view={view} />, wrong ? 400 : 200);
    },
  );

  const attribuerParams = siretParams.extend({ etab: z.string().max(20).describe('SIRET de l’établissement habilité') });

  app.get(
    '/soltea/employeur/:siret/attribuer/:etab',
    {
      ...signedIn,
      schema: {
        summary: 'Attribuer à un établissement, ses composantes ou ses formations : les cibles et les pourcentages déjà choisis',
        tags,
        params: attribuerParams,
      },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const targets = await establishmentTargets(ctx.db, r.annee, param(req, 'etab'));
      if (!targets) return notHabilitated(req, reply, r.annee);
      const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
      if (wantsJson(req)) return reply.send({ cibles: targets, synthese: syntheseJson(s) });
      const { values, checked } = chosenValues(s, targets);
      return sendPage(
        reply,
        <AttribuerPage ctx={pageContext(req)} head={r.head} s={s} targets={targets} values={values} checked={checked} />,
      );
    },
  );

  app.post(
    '/soltea/employeur/:siret/attribuer/:etab',
    {
      ...signedIn,
      schema: {
        summary: 'Enregistrer mes choix : ajoute à la synthèse les cibles cochées avec leur pourcentage',
        tags,
        params: attribuerParams,
      },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const targets = await establishmentTargets(ctx.db, r.annee, param(req, 'etab'));
      if (!targets) return notHabilitated(req, reply, r.annee);
      const body = bodyOf(req);
      const version = versionOf(body, wantsJson(req));
      const ticked = new Set(list(body.cible));
      const values: Record<string, string> = {};
      const errors: FieldErrors = {};
      const items: TargetShare[] = [];
      const itemCible: string[] = [];
      const all = [
        ...targets.places.map((p) => ({ cible: cibleOf({ etablissementId: p.id }), target: { etablissementId: p.id, formationId: null } })),
        ...targets.formations.map((f) => ({
          cible: cibleOf({ etablissementId: f.etablissementId, formationId: f.id }),
          target: { etablissementId: f.etablissementId, formationId: f.id },
        })),
      ];
      const known = new Set(all.map((a) => a.cible));
      for (const c of ticked)
        if (!known.has(c)) errors._form = 'Le formulaire désigne une cible qui n’appartient pas à cet établissement : rechargez la page.';
      for (const a of all) {
        const typed = str(body[`pct_${a.cible}`]).trim().slice(0, 20);
        if (typed) values[`pct_${a.cible}`] = typed;
        if (!ticked.has(a.cible)) continue;
        if (!typed) {
          errors[`pct_${a.cible}`] = 'Indiquez le pourcentage de vos crédits à attribuer (par exemple 10 ou 12,5).';
          continue;
        }
        const p = parsePercent(typed);
        if (!p.ok) errors[`pct_${a.cible}`] = p.message;
        else {
          items.push({ target: a.target, bp: p.bp });
          itemCible.push(a.cible);
        }
      }
      const again = async (status: number, extra: { errors?: FieldErrors; alert?: string }) => {
        if (wantsJson(req)) return sendJsonErrors(reply, status, extra.alert ?? 'Vos choix n’ont pas été enregistrés.', extra.errors ?? {});
        const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
        return sendPage(
          reply,
          <AttribuerPage ctx={pageContext(req)} head={r.head} s={s} targets={targets} values={values} checked={ticked} {...extra} />,
          status,
        );
      };
      if (version === 'invalide') return again(409, { alert: 'Le formulaire est incomplet : rechargez la page et recommencez.' });
      // nothing ticked and nothing chosen here before: changeChoices answers « Choisissez au moins … »
      if (Object.keys(errors).length) return again(400, { errors });
      // the targets of this establishment left unticked are removed from the choices
      const retirer = all.filter((a) => !ticked.has(a.cible)).map((a) => a.target);
      const change: ChoiceChange = { kind: 'ajouter', items, retirer };
      const res = await changeChoices(ctx, { annee: r.annee, siret: r.siret, actor: r.actor, expectedVersion: version, change });
      if (!res.ok) {
        const fieldErrors: FieldErrors = {};
        const general: string[] = [];
        for (const e of res.errors) {
          if (e.index !== undefined && itemCible[e.index]) fieldErrors[`pct_${itemCible[e.index]}`] = e.message;
          else general.push(e.message);
        }
        return again(res.status, { errors: fieldErrors, ...(general.length ? { alert: general.join(' ') } : {}) });
      }
      if (wantsJson(req)) return sendSynthese(req, reply, r);
      return redirect(reply, employerUrl(r.siret), 'choix');
    },
  );

  const notHabilitated = (req: FastifyRequest, reply: FastifyReply, annee: number) => {
    const msg = `Cet établissement ne figure pas sur les listes des établissements habilités de la campagne ${annee} : il ne peut pas recevoir le solde de la taxe d’apprentissage.`;
    return wantsJson(req)
      ? sendJsonErrors(reply, 404, msg)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Établissement non habilité" type="error">
            {msg}
          </MessagePage>,
          404,
        );
  };

  // ── « Mes groupes » ────────────────────────────────────────────────────────────────────────────
  const groupPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    r: NonNullable<Awaited<ReturnType<typeof resolve>>>,
    extra: { values?: { nom?: string; reference?: string; membres?: string[] }; errors?: FieldErrors } = {},
    status = 200,
  ) => {
    const siren = r.siret.slice(0, 9);
    const gs = await groupsOf(ctx.db, r.annee, siren);
    const inGroup = new Map<string, string>();
    for (const g of gs) for (const m of [g.reference, ...g.membres]) inGroup.set(m, g.nom);
    const candidates = r.all
      .filter((x) => !x.indisponible && x.siret.slice(0, 9) === siren)
      .map((x) => ({ siret: x.siret, denomination: x.denomination, commune: x.commune, groupe: inGroup.get(x.siret) ?? null }));
    const visible = gs.filter((g) => r.all.some((x) => x.siret === g.reference && !x.indisponible));
    if (wantsJson(req))
      return status === 200
        ? reply.send({ campagne: r.annee, groupes: visible, sirets: candidates })
        : sendJsonErrors(reply, status, 'Le groupe n’a pas été créé.', extra.errors ?? {});
    const notice = noticeOf(req);
    return sendPage(
      reply,
      <GroupesPage
        ctx={pageContext(req)}
        head={r.head}
        groupes={visible}
        candidates={candidates}
        {...extra}
        {...(notice ? { notice } : {})}
      />,
      status,
    );
  };

  app.get(
    '/soltea/employeur/:siret/groupes',
    {
      ...signedIn,
      schema: { summary: 'Mes groupes : les groupes de SIRET de l’entreprise et leur SIRET de référence', tags, params: siretParams },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      return groupPage(req, reply, r);
    },
  );

  app.post(
    '/soltea/employeur/:siret/groupes',
    { ...signedIn, schema: { summary: 'Créer un groupe : nom, SIRET de référence, autres SIRET (même SIREN)', tags, params: siretParams } },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const body = bodyOf(req);
      const values = {
        nom: str(body.nom).slice(0, 200),
        reference: str(body.reference).slice(0, 20),
        membres: list(body.membres).slice(0, 500),
      };
      const allowed = new Set(r.all.filter((x) => !x.indisponible).map((x) => x.siret));
      const res = await createGroup(ctx, r.actor, r.annee, values, allowed);
      if (!res.ok) return groupPage(req, reply, r, { values, errors: res.errors }, 400);
      if (wantsJson(req)) return reply.code(201).send({ id: res.id });
      return redirect(reply, employerUrl(r.siret, 'groupes'), 'groupe-cree');
    },
  );

  app.post(
    '/soltea/employeur/:siret/groupes/:id/supprimer',
    {
      ...signedIn,
      schema: {
        summary: 'Dissoudre un groupe (chaque SIRET garde ses attributions)',
        tags,
        params: siretParams.extend({ id: z.string().max(20) }),
      },
    },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const id = param(req, 'id');
      const allowed = new Set(r.all.filter((x) => !x.indisponible).map((x) => x.siret));
      const ok = /^\d{1,15}$/.test(id) && (await deleteGroup(ctx, r.actor, r.annee, Number(id), allowed));
      if (!ok) return notFound(req, reply);
      if (wantsJson(req)) return reply.send({ message: NOTICES['groupe-dissous'] });
      return redirect(reply, employerUrl(r.siret, 'groupes'), 'groupe-dissous');
    },
  );

  // ── « Historique » ─────────────────────────────────────────────────────────────────────────────
  app.get(
    '/soltea/employeur/:siret/historique',
    { ...signedIn, schema: { summary: 'Historique : crédits, attributions et statut de chaque campagne', tags, params: siretParams } },
    async (req, reply) => {
      const r = await resolve(req, reply);
      if (!r) return;
      const years = await historyYears(ctx.db, r.siret, r.annee);
      const campagnes = await Promise.all(years.map((y) => loadSynthese(ctx.db, ctx.clock.now(), y, r.siret)));
      if (wantsJson(req)) return reply.send({ campagnes: campagnes.map(syntheseJson) });
      return sendPage(reply, <HistoriquePage ctx={pageContext(req)} head={r.head} campagnes={campagnes} />);
    },
  );
}

/** The percentages already chosen for the targets of this establishment (the form shows them). */
function chosenValues(s: Synthese, t: { places: { id: number }[]; formations: { id: number; etablissementId: number }[] }) {
  const values: Record<string, string> = {};
  const checked = new Set<string>();
  const byKey = new Map(s.lines.map((l) => [`${l.etablissementId}:${l.formationId ?? 0}`, l]));
  const mark = (c: string, k: string) => {
    const l = byKey.get(k);
    if (!l) return;
    checked.add(c);
    values[`pct_${c}`] = formatPercent(l.pointsBase).replace(/\u00a0%$/, '');
  };
  for (const p of t.places) mark(cibleOf({ etablissementId: p.id }), `${p.id}:0`);
  for (const f of t.formations) mark(cibleOf({ etablissementId: f.etablissementId, formationId: f.id }), `${f.etablissementId}:${f.id}`);
  return { values, checked };
}

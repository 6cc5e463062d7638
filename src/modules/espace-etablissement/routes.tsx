/**
 * SOLTéA establishment space (users habilitated to « SOLTéA – Etablissements », PRODUCT.md §4.3).
 *
 * Every route takes the SIRET from the URL and goes through `loadEstablishment`: a SIRET that is not
 * open to the signed-in user (other company, no habilitation, access delay running, tampered URL)
 * answers 404, whatever exists; an open SIRET that is not in the current referential answers 403
 * with the explanation. Forms answer pages (303 after a change, the form again with French messages
 * and 400 on error); JSON clients get JSON with the same messages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponse } from '../../http/legacy.js';
import { messageResponse } from '../../shared/fields.js';
import { formatPercent } from '../../shared/format.js';
import { parseBody, type FieldErrors } from '../../shared/fields.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import { MessagePage } from '../../web/pages/public.js';
import {
  AttributionsPage,
  ChooserPage,
  linkMessage,
  LienPage,
  MonEtablissementPage,
  NotHabilitatedPage,
  spaceUrl,
  type SpaceHeader,
} from '../../web/pages/soltea-etablissement.js';
import { BanquePage } from '../../web/pages/soltea-etablissement-banque.js';
import { ContactFormPage, PresentationPage, RemovePage, SiteFormPage } from '../../web/pages/soltea-etablissement-fiche.js';
import { publicUrl } from '../../shared/urls.js';
import { loadEstablishment, userEstablishments, type Establishment } from './access.js';
import { ANONYMOUS_EMPLOYER, loadReceived, receivedCsv } from './attributions.js';
import { checkBankDetails } from './bank-rules.js';
import { loadBankView, requestBankCode, submitBankDetails, type BankView } from './coordonnees-bancaires.js';
import { establishmentView } from './etablissement.js';
import {
  addContact,
  addSite,
  contactChangeSchema,
  contactSchema,
  CONTACTS_MAX,
  loadProfil,
  presentationSchema,
  removeContact,
  removeSchema,
  removeSite,
  siteChangeSchema,
  siteSchema,
  SITES_MAX,
  updateContact,
  updatePresentation,
  updateSite,
  type ProfilResult,
} from './profil.js';

const NOTICES: Record<string, string> = {
  presentation: 'La présentation est enregistrée ; elle figure sur la fiche publique.',
  'contact-ajoute': 'Le contact est ajouté à la fiche publique.',
  'contact-modifie': 'Le contact est modifié.',
  'contact-supprime': 'Le contact est supprimé de la fiche publique.',
  'site-ajoute': 'Le site internet est ajouté à la fiche publique.',
  'site-modifie': 'Le site internet est modifié.',
  'site-supprime': 'Le site internet est supprimé de la fiche publique.',
  'code-envoye':
    'Un code a été envoyé par courriel aux administrateurs de l’établissement. Saisissez-le ci-dessous avec les coordonnées bancaires.',
  'coordonnees-enregistrees':
    'Les coordonnées bancaires sont enregistrées. Elles sont à vérifier par l’opérateur ; les administrateurs de l’établissement en sont informés par courriel.',
};
const noticeOf = (req: FastifyRequest) => NOTICES[String((req.query as Record<string, unknown>).notice ?? '')];
const param = (req: FastifyRequest, name: string) => String((req.params as Record<string, unknown>)[name] ?? '');
const meta = (req: FastifyRequest) => ({ ip: req.ip });
const FORM_ERRORS = 'Le formulaire contient des erreurs.';
const NOT_OPEN =
  'Ce service ne vous est pas ouvert : vous n’êtes habilité à « SOLTéA - Etablissements » pour aucun établissement, ou le délai d’accès de 24 heures n’est pas écoulé. Votre administrateur gère vos habilitations.';

/** Host names accepted to build the direct link when PUBLIC_URL is not set (the Host header is untrusted). */
const HOST_RE = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

export async function espaceEtablissementRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const signedIn = { preValidation: requireUser() };
  const tags = ['SOLTéA - Établissement'];
  const siretParams = z.object({ siret: z.string().max(20) });
  const itemParams = z.object({ siret: z.string().max(20), n: z.string().max(4) });
  const doc = (summary: string, body?: z.ZodType, params: z.ZodType = siretParams) => ({
    schema: {
      summary,
      tags,
      params,
      ...(body ? { body } : {}),
      response: {
        200: messageResponse.loose(),
        201: z.any(),
        400: errorResponse.loose(),
        404: errorResponse.loose(),
        409: errorResponse.loose(),
        429: errorResponse.loose(),
      },
    },
    attachValidation: true,
  });
  const getDoc = (summary: string, params: z.ZodType = siretParams) => ({ schema: { summary, tags, params } });
  const flush = () => void ctx.mail.flush().catch(() => undefined);

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    wantsJson(req)
      ? sendJsonErrors(reply, 404, 'Établissement introuvable.')
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Établissement introuvable" type="error">
            Cet établissement est introuvable parmi ceux pour lesquels vous êtes habilité à « SOLTéA - Etablissements ».
          </MessagePage>,
          404,
        );

  /** The establishment of the URL for the signed-in user, or the answer already sent. */
  const resolve = async (req: FastifyRequest, reply: FastifyReply): Promise<{ etab: Establishment; head: SpaceHeader } | null> => {
    const r = await loadEstablishment(ctx, req.auth!.user, param(req, 'siret'));
    if (r.kind === 'not_found') {
      await notFound(req, reply);
      return null;
    }
    if (r.kind === 'not_habilitated') {
      const msg = `Cet établissement ne figure pas sur les listes des établissements habilités${r.annee ? ` de la campagne ${r.annee}` : ''} : il n’a pas d’espace établissement.`;
      if (wantsJson(req)) await sendJsonErrors(reply, 403, msg);
      else await sendPage(reply, <NotHabilitatedPage ctx={pageContext(req)} nom={r.nom} siret={r.siret} annee={r.annee} />, 403);
      return null;
    }
    return { etab: r.etab, head: { siret: r.etab.siret, nom: r.etab.ref.nom, annee: r.etab.annee, several: r.several } };
  };

  /** 1-based position in the URL → 0-based index, or null. */
  const indexOf = (req: FastifyRequest, max: number): number | null => {
    const n = param(req, 'n');
    if (!/^\d{1,3}$/.test(n)) return null;
    const i = Number(n) - 1;
    return i >= 0 && i < max ? i : null;
  };

  // ── the choice of establishment ───────────────────────────────────────────────────────────────
  app.get(
    '/soltea/etablissement',
    { ...signedIn, schema: { summary: 'Les établissements dont l’utilisateur peut ouvrir l’espace', tags } },
    async (req, reply) => {
      const { annee, choices } = await userEstablishments(ctx, req.auth!.user);
      if (wantsJson(req)) {
        if (choices.length === 0) return sendJsonErrors(reply, 403, NOT_OPEN);
        return reply.send({ campagne: annee, etablissements: choices });
      }
      if (choices.length === 0)
        return sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Service non accessible" type="warning">
            {NOT_OPEN}
          </MessagePage>,
          403,
        );
      if (choices.length === 1 && choices[0]!.habilite) return reply.code(303).header('location', spaceUrl(choices[0]!.siret)).send();
      return sendPage(reply, <ChooserPage ctx={pageContext(req)} annee={annee} choices={choices} />);
    },
  );

  // ── « Mon établissement » ─────────────────────────────────────────────────────────────────────
  app.get(
    '/soltea/etablissement/:siret',
    { ...signedIn, ...getDoc('Mon établissement : les données du référentiel (UAI, catégorie, composantes, formations)') },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const [view, profil, bank] = await Promise.all([
        establishmentView(ctx, s.etab),
        loadProfil(ctx, s.etab.siret),
        loadBankView(ctx, s.etab.siret),
      ]);
      if (wantsJson(req)) return reply.send({ etablissement: view });
      return sendPage(
        reply,
        <MonEtablissementPage
          ctx={pageContext(req)}
          head={s.head}
          view={view}
          summary={{
            contacts: profil.contacts.length,
            sites: profil.sites.length,
            presentation: profil.presentation !== '',
            bank: bank.current?.statut ?? null,
          }}
        />,
      );
    },
  );

  // ── « Présentation et contacts » ──────────────────────────────────────────────────────────────
  const presentationPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    s: { etab: Establishment; head: SpaceHeader },
    extra: { values?: Record<string, unknown>; errors?: FieldErrors } = {},
    status = 200,
  ) => {
    const profil = await loadProfil(ctx, s.etab.siret);
    return sendPage(
      reply,
      <PresentationPage ctx={pageContext(req)} head={s.head} profil={profil} notice={noticeOf(req)} {...extra} />,
      status,
    );
  };
  app.get(
    '/soltea/etablissement/:siret/presentation',
    { ...signedIn, ...getDoc('Présentation et contacts : la fiche publique de l’établissement') },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      if (wantsJson(req)) {
        const p = await loadProfil(ctx, s.etab.siret);
        return reply.send({
          presentation: p.presentation,
          contacts: p.contacts,
          sites: p.sites,
          version: p.version,
          modifieeLe: p.updatedAt?.toISOString() ?? null,
        });
      }
      return presentationPage(req, reply, s);
    },
  );

  /** Answers a profile change: 303 to the page with a notice, or the French refusal. */
  const answer = (
    req: FastifyRequest,
    reply: FastifyReply,
    siret: string,
    r: ProfilResult,
    notice: string,
    rerender: (errors: FieldErrors, message?: string, status?: number) => unknown,
  ) => {
    if (r.ok) return wantsJson(req) ? reply.send({ message: NOTICES[notice]! }) : redirect(reply, spaceUrl(siret, 'presentation'), notice);
    if (r.code === 'invalid')
      return wantsJson(req)
        ? sendJsonErrors(reply, 400, r.message, { [r.field]: r.message })
        : rerender({ [r.field]: r.message }, undefined, 400);
    const status = r.code === 'not_found' ? 404 : 409;
    if (wantsJson(req)) return sendJsonErrors(reply, status, r.message);
    return rerender({}, r.message, status);
  };

  app.post(
    '/soltea/etablissement/:siret/presentation',
    { ...signedIn, ...doc('Enregistrer la présentation de l’établissement (2 000 caractères au maximum)', presentationSchema) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const parsed = parseBody(presentationSchema, req.body);
      const rerender = (errors: FieldErrors, message?: string, status = 400) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, message ?? FORM_ERRORS, errors)
          : presentationPage(
              req,
              reply,
              s,
              { values: (req.body ?? {}) as Record<string, unknown>, errors: message ? { _form: message, ...errors } : errors },
              status,
            );
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await updatePresentation(ctx, req.auth!.user, s.etab, parsed.data, meta(req));
      return answer(req, reply, s.etab.siret, r, 'presentation', rerender);
    },
  );

  // contacts
  app.get('/soltea/etablissement/:siret/contacts/nouveau', { ...signedIn, schema: { hide: true } }, async (req, reply) => {
    const s = await resolve(req, reply);
    if (!s) return;
    return sendPage(reply, <ContactFormPage ctx={pageContext(req)} head={s.head} index={null} version="" />);
  });
  app.post(
    '/soltea/etablissement/:siret/contacts',
    { ...signedIn, ...doc('Ajouter un contact (fonction, nom, courriel, téléphone)', contactSchema) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const values = (req.body ?? {}) as Record<string, unknown>;
      const rerender = (errors: FieldErrors, message?: string, status = 400) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, message ?? FORM_ERRORS, errors)
          : sendPage(
              reply,
              <ContactFormPage
                ctx={pageContext(req)}
                head={s.head}
                index={null}
                version=""
                values={values}
                errors={errors}
                message={message}
              />,
              status,
            );
      const parsed = parseBody(contactSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await addContact(ctx, req.auth!.user, s.etab, parsed.data, meta(req));
      if (r.ok && wantsJson(req)) return reply.code(201).send({ message: NOTICES['contact-ajoute']! });
      return answer(req, reply, s.etab.siret, r, 'contact-ajoute', rerender);
    },
  );
  app.get('/soltea/etablissement/:siret/contacts/:n', { ...signedIn, schema: { hide: true } }, async (req, reply) => {
    const s = await resolve(req, reply);
    if (!s) return;
    const p = await loadProfil(ctx, s.etab.siret);
    const i = indexOf(req, p.contacts.length);
    if (i === null) return notFound(req, reply);
    return sendPage(
      reply,
      <ContactFormPage ctx={pageContext(req)} head={s.head} index={i} version={p.version} values={{ ...p.contacts[i] }} />,
    );
  });
  app.post(
    '/soltea/etablissement/:siret/contacts/:n',
    { ...signedIn, ...doc('Modifier un contact (sa position dans la liste, à partir de 1)', contactChangeSchema, itemParams) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const i = indexOf(req, CONTACTS_MAX);
      if (i === null) return notFound(req, reply);
      const values = (req.body ?? {}) as Record<string, unknown>;
      const version = typeof values.version === 'string' ? values.version : '';
      const rerender = (errors: FieldErrors, message?: string, status = 400) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, message ?? FORM_ERRORS, errors)
          : sendPage(
              reply,
              <ContactFormPage
                ctx={pageContext(req)}
                head={s.head}
                index={i}
                version={version}
                values={values}
                errors={errors}
                message={message}
              />,
              status,
            );
      const parsed = parseBody(contactChangeSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await updateContact(ctx, req.auth!.user, s.etab, i, parsed.data, meta(req));
      return answer(req, reply, s.etab.siret, r, 'contact-modifie', rerender);
    },
  );
  app.get('/soltea/etablissement/:siret/contacts/:n/supprimer', { ...signedIn, schema: { hide: true } }, async (req, reply) => {
    const s = await resolve(req, reply);
    if (!s) return;
    const p = await loadProfil(ctx, s.etab.siret);
    const i = indexOf(req, p.contacts.length);
    if (i === null) return notFound(req, reply);
    const c = p.contacts[i]!;
    return sendPage(
      reply,
      <RemovePage ctx={pageContext(req)} head={s.head} kind="contact" index={i} label={`${c.fonction} - ${c.nom}`} version={p.version} />,
    );
  });
  app.post(
    '/soltea/etablissement/:siret/contacts/:n/supprimer',
    { ...signedIn, ...doc('Supprimer un contact (la fiche en garde au moins un)', removeSchema, itemParams) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const i = indexOf(req, CONTACTS_MAX);
      if (i === null) return notFound(req, reply);
      const parsed = parseBody(removeSchema, req.body);
      const version = parsed.ok ? parsed.data.version : '';
      const rerender = async (_errors: FieldErrors, message?: string, status = 400) => {
        const p = await loadProfil(ctx, s.etab.siret);
        const c = p.contacts[i];
        if (!c) return redirect(reply, spaceUrl(s.etab.siret, 'presentation'));
        return sendPage(
          reply,
          <RemovePage
            ctx={pageContext(req)}
            head={s.head}
            kind="contact"
            index={i}
            label={`${c.fonction} - ${c.nom}`}
            version={p.version}
            message={message}
          />,
          status,
        );
      };
      if (!parsed.ok) return wantsJson(req) ? sendJsonErrors(reply, 400, FORM_ERRORS, parsed.errors) : rerender(parsed.errors, FORM_ERRORS);
      const r = await removeContact(ctx, req.auth!.user, s.etab, i, version, meta(req));
      return answer(req, reply, s.etab.siret, r, 'contact-supprime', rerender);
    },
  );

  // sites
  app.get('/soltea/etablissement/:siret/sites/nouveau', { ...signedIn, schema: { hide: true } }, async (req, reply) => {
    const s = await resolve(req, reply);
    if (!s) return;
    return sendPage(reply, <SiteFormPage ctx={pageContext(req)} head={s.head} index={null} version="" />);
  });
  app.post(
    '/soltea/etablissement/:siret/sites',
    { ...signedIn, ...doc('Ajouter un site internet (libellé, adresse http ou https ; 10 au maximum)', siteSchema) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const values = (req.body ?? {}) as Record<string, unknown>;
      const rerender = (errors: FieldErrors, message?: string, status = 400) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, message ?? FORM_ERRORS, errors)
          : sendPage(
              reply,
              <SiteFormPage
                ctx={pageContext(req)}
                head={s.head}
                index={null}
                version=""
                values={values}
                errors={errors}
                message={message}
              />,
              status,
            );
      const parsed = parseBody(siteSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await addSite(ctx, req.auth!.user, s.etab, parsed.data, meta(req));
      if (r.ok && wantsJson(req)) return reply.code(201).send({ message: NOTICES['site-ajoute']! });
      return answer(req, reply, s.etab.siret, r, 'site-ajoute', rerender);
    },
  );
  app.get('/soltea/etablissement/:siret/sites/:n', { ...signedIn, schema: { hide: true } }, async (req, reply) => {
    const s = await resolve(req, reply);
    if (!s) return;
    const p = await loadProfil(ctx, s.etab.siret);
    const i = indexOf(req, p.sites.length);
    if (i === null) return notFound(req, reply);
    return sendPage(reply, <SiteFormPage ctx={pageContext(req)} head={s.head} index={i} version={p.version} values={{ ...p.sites[i] }} />);
  });
  app.post(
    '/soltea/etablissement/:siret/sites/:n',
    { ...signedIn, ...doc('Modifier un site internet (sa position dans la liste, à partir de 1)', siteChangeSchema, itemParams) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const i = indexOf(req, SITES_MAX);
      if (i === null) return notFound(req, reply);
      const values = (req.body ?? {}) as Record<string, unknown>;
      const version = typeof values.version === 'string' ? values.version : '';
      const rerender = (errors: FieldErrors, message?: string, status = 400) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, message ?? FORM_ERRORS, errors)
          : sendPage(
              reply,
              <SiteFormPage
                ctx={pageContext(req)}
                head={s.head}
                index={i}
                version={version}
                values={values}
                errors={errors}
                message={message}
              />,
              status,
            );
      const parsed = parseBody(siteChangeSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await updateSite(ctx, req.auth!.user, s.etab, i, parsed.data, meta(req));
      return answer(req, reply, s.etab.siret, r, 'site-modifie', rerender);
    },
  );
  app.get('/soltea/etablissement/:siret/sites/:n/supprimer', { ...signedIn, schema: { hide: true } }, async (req, reply) => {
    const s = await resolve(req, reply);
    if (!s) return;
    const p = await loadProfil(ctx, s.etab.siret);
    const i = indexOf(req, p.sites.length);
    if (i === null) return notFound(req, reply);
    return sendPage(
      reply,
      <RemovePage ctx={pageContext(req)} head={s.head} kind="site" index={i} label={p.sites[i]!.libelle} version={p.version} />,
    );
  });
  app.post(
    '/soltea/etablissement/:siret/sites/:n/supprimer',
    { ...signedIn, ...doc('Supprimer un site internet', removeSchema, itemParams) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const i = indexOf(req, SITES_MAX);
      if (i === null) return notFound(req, reply);
      const parsed = parseBody(removeSchema, req.body);
      const rerender = async (_errors: FieldErrors, message?: string, status = 400) => {
        const p = await loadProfil(ctx, s.etab.siret);
        const site = p.sites[i];
        if (!site) return redirect(reply, spaceUrl(s.etab.siret, 'presentation'));
        return sendPage(
          reply,
          <RemovePage
            ctx={pageContext(req)}
            head={s.head}
            kind="site"
            index={i}
            label={site.libelle}
            version={p.version}
            message={message}
          />,
          status,
        );
      };
      if (!parsed.ok) return wantsJson(req) ? sendJsonErrors(reply, 400, FORM_ERRORS, parsed.errors) : rerender(parsed.errors, FORM_ERRORS);
      const r = await removeSite(ctx, req.auth!.user, s.etab, i, parsed.data.version, meta(req));
      return answer(req, reply, s.etab.siret, r, 'site-supprime', rerender);
    },
  );

  // ── « Lien direct » ───────────────────────────────────────────────────────────────────────────
  const baseUrl = (req: FastifyRequest) => {
    if (ctx.config.PUBLIC_URL) return ctx.config.PUBLIC_URL.replace(/\/$/, '');
    const host = req.host;
    return host && HOST_RE.test(host) ? `${req.protocol}://${host}` : publicUrl(ctx, '');
  };
  app.get(
    '/soltea/etablissement/:siret/lien',
    { ...signedIn, ...getDoc('Lien direct : l’adresse de la fiche publique de l’établissement et un message prêt à envoyer') },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const generate = wantsJson(req) || (req.query as Record<string, unknown>).generer === '1';
      const link = `${baseUrl(req)}/soltea/etablissements/${s.etab.siret}`;
      const view = generate ? await establishmentView(ctx, s.etab) : null;
      const message = view ? linkMessage(view.nom, view.siret, view.uais, view.annee, link) : null;
      if (wantsJson(req)) return reply.send({ lien: link, message });
      return sendPage(reply, <LienPage ctx={pageContext(req)} head={s.head} link={generate ? link : null} message={message} />);
    },
  );

  // ── « Coordonnées bancaires » ─────────────────────────────────────────────────────────────────
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
  const bankPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    s: { etab: Establishment; head: SpaceHeader },
    extra: { values?: Record<string, unknown>; errors?: FieldErrors; codeMessage?: string } = {},
    status = 200,
  ) => {
    const view = await loadBankView(ctx, s.etab.siret);
    return sendPage(reply, <BanquePage ctx={pageContext(req)} head={s.head} view={view} notice={noticeOf(req)} {...extra} />, status);
  };
  app.get(
    '/soltea/etablissement/:siret/coordonnees-bancaires',
    { ...signedIn, ...getDoc('Coordonnées bancaires : les coordonnées actuelles (IBAN masqué), leur statut, l’historique et le code') },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      if (wantsJson(req)) return reply.send(bankJson(await loadBankView(ctx, s.etab.siret)));
      return bankPage(req, reply, s);
    },
  );
  app.post(
    '/soltea/etablissement/:siret/coordonnees-bancaires/code',
    {
      ...signedIn,
      ...doc('Demander un code : envoyé par courriel aux administrateurs de l’établissement (valable 30 jours, un par 10 minutes)'),
    },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const r = await requestBankCode(ctx, req.auth!.user, s.etab, meta(req));
      flush();
      if (r.ok) {
        if (wantsJson(req))
          return reply.send({
            message: NOTICES['code-envoye']!,
            valableJusquau: r.expiresAt.toISOString(),
            destinataires: r.recipients.map((a) => `${a.prenom} ${a.nom}`),
          });
        return redirect(reply, spaceUrl(s.etab.siret, 'banque'), 'code-envoye');
      }
      const status = r.code === 'rate_limited' ? 429 : 409;
      if (wantsJson(req)) return sendJsonErrors(reply, status, r.message);
      return bankPage(req, reply, s, { codeMessage: r.message }, status);
    },
  );
  const bankBody = z.object({
    iban: z.string().max(100).optional().describe('IBAN (espaces acceptés)'),
    bic: z.string().max(100).optional(),
    titulaire: z.string().max(300).optional(),
    code: z.string().max(100).optional().describe('Le code reçu par courriel'),
  });
  app.post(
    '/soltea/etablissement/:siret/coordonnees-bancaires',
    { ...signedIn, ...doc('Saisir ou modifier les coordonnées bancaires (IBAN, BIC, titulaire) avec le code reçu par courriel', bankBody) },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const field = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).slice(0, 300) : '');
      const values = { iban: field('iban'), bic: field('bic'), titulaire: field('titulaire') };
      // The code is typed again only when it was the problem (the page is never cached: no-store).
      const rerender = (errors: FieldErrors, status: number) =>
        wantsJson(req)
          ? sendJsonErrors(reply, status, FORM_ERRORS, errors)
          : bankPage(req, reply, s, { values: errors.code ? values : { ...values, code: field('code') }, errors }, status);
      const check = checkBankDetails({ ...values, code: field('code') });
      if (!check.ok) return rerender(check.errors, 400);
      const r = await submitBankDetails(ctx, req.auth!.user, s.etab, check.value, meta(req));
      flush();
      if (!r.ok) return rerender({ code: r.message }, r.status);
      if (wantsJson(req)) return reply.code(201).send({ message: NOTICES['coordonnees-enregistrees']! });
      return redirect(reply, spaceUrl(s.etab.siret, 'banque'), 'coordonnees-enregistrees');
    },
  );

  // ── « Attributions reçues » ───────────────────────────────────────────────────────────────────
  app.get(
    '/soltea/etablissement/:siret/attributions',
    {
      ...signedIn,
      ...getDoc('Attributions reçues : pourcentages et montants attendus par employeur (nommé s’il partage ses coordonnées)'),
    },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const view = await loadReceived(ctx, s.etab);
      if (wantsJson(req))
        return reply.send({
          campagne: view.annee,
          totalCents: view.totalCents.toString(),
          employeurs: view.employeurs,
          attributions: view.lines.map((l) => ({
            employeur: l.employeur
              ? { raisonSociale: l.employeur.raisonSociale, siret: l.employeur.siret }
              : { raisonSociale: ANONYMOUS_EMPLOYER },
            beneficiaire: l.beneficiaire,
            formation: l.formation,
            pointsBase: l.pointsBase,
            pourcentage: formatPercent(l.pointsBase),
            montantCents: l.montantCents?.toString() ?? null,
            statut: l.statut,
          })),
        });
      return sendPage(reply, <AttributionsPage ctx={pageContext(req)} head={s.head} view={view} />);
    },
  );
  app.get(
    '/soltea/etablissement/:siret/attributions.csv',
    { ...signedIn, ...getDoc('Attributions reçues (CSV, séparateur ;)') },
    async (req, reply) => {
      const s = await resolve(req, reply);
      if (!s) return;
      const view = await loadReceived(ctx, s.etab);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="attributions-${s.etab.siret}-${view.annee}.csv"`)
        .header('cache-control', 'no-store')
        .send(receivedCsv(view));
    },
  );
}

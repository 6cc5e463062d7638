/**
 * The inscription's steps (PRODUCT §3.1, the guide's « n'êtes pas inscrit sur net-entreprises »). The
 * server enforces their order: a draft row keeps the current step, each step's POST runs only when the
 * draft is exactly at that step (inscription.ts), and a page of another step sends the person where the
 * draft is. API clients carry the draft in the `x-inscription` header instead of the cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReactElement } from 'react';
import { findDeclaration } from '../../../domain/declarations.js';
import { pageContext, redirect, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { clearCookie, cookieOptions } from '../../../http/security.js';
import { parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, problem } from '../../../shared/problem.js';
import {
  CguPage,
  IdentificationPage,
  InscriptionStartPage,
  PasswordPage,
  ProfilePage,
  RecapPage,
  ValidationPage,
} from '../../../web/pages/inscription.js';
import { MessagePage } from '../../../web/pages/public.js';
import { findEtablissement, listEtablissementsOfSiren } from '../../entreprises/registry-repository.js';
import { cguSchema, inscriptionStartSchema, passwordSchema, profileSchema, secretQuestionSchema, stepResponse } from '../contracts.js';
import { resendEmailValidation } from '../email-validation.js';
import {
  choosePassword,
  confirmIdentification,
  confirmRecap,
  decideCgu,
  draftUserEmail,
  InscriptionError,
  loadDraft,
  saveProfile,
  startInscription,
  type Draft,
  type Step,
} from '../inscription.js';
import { DRAFT_COOKIE, meta, notice, tags } from './common.js';

export const STEP_PATHS: Record<Step, string> = {
  cgu: '/inscription/conditions',
  identification: '/inscription/identification',
  password: '/inscription/mot-de-passe',
  recap: '/inscription/recapitulatif',
  profil: '/inscription/profil',
  done: '/inscription/validation',
};

const EXPIRED = 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.';

/** The draft travels in the cookie (browsers) or the x-inscription header (API clients). */
const draftIdOf = (req: FastifyRequest) => (req.headers['x-inscription'] as string | undefined) ?? req.cookies[DRAFT_COOKIE];

/**
 * Answers a refusal of the step machine: a wrong step sends the browser to the current one, an expired
 * draft says so, a refused field comes back on its form (`form`), anything else on a message page.
 */
function refuse(req: FastifyRequest, reply: FastifyReply, e: unknown, form?: (errors: FieldErrors) => ReactElement) {
  if (!(e instanceof InscriptionError)) throw e;
  if (e.reason === 'wrong_step' && e.currentStep) return respond(req, reply, { problem: e.problem, redirect: STEP_PATHS[e.currentStep] });
  const page = (): ReactElement => {
    if (e.reason === 'expired')
      return (
        <MessagePage ctx={pageContext(req)} title="Inscription expirée" type="warning">
          {`${e.message} Les inscriptions non terminées expirent au bout d’une heure.`}
        </MessagePage>
      );
    if (form) return form(e.field ? { [e.field]: e.message } : { _form: e.message });
    return (
      <MessagePage ctx={pageContext(req)} title="Inscription impossible" type="error">
        {e.message}
      </MessagePage>
    );
  };
  return respond(req, reply, { problem: e.problem, page });
}

/** Runs a step's use case; a refusal of the step machine is answered by `refuse`. */
async function step(
  req: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<FastifyReply>,
  form?: (errors: FieldErrors) => ReactElement,
) {
  try {
    return await run();
  } catch (e) {
    return refuse(req, reply, e, form);
  }
}

const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

export async function inscriptionRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const doc = (operationId: string, summary: string, body?: Parameters<typeof route>[0]['body']) =>
    route({
      operationId,
      summary,
      tags: tags.inscription,
      access: 'public',
      changes: true,
      ...(body ? { body } : {}),
      responses: { 200: stepResponse },
    });

  /** GET of a step page: only the step the draft is at; otherwise go where it is. */
  const stepPage = (path: string, at: Step, render: (req: FastifyRequest, draft: Draft) => ReactElement | Promise<ReactElement>) =>
    app.get(path, { schema: { hide: true } }, async (req, reply) => {
      const draft = await loadDraft(ctx, draftIdOf(req));
      if (!draft) return refuse(req, reply, new InscriptionError('expired', EXPIRED));
      if (draft.step !== at) return redirect(reply, STEP_PATHS[draft.step]);
      return step(req, reply, async () => {
        const page = await render(req, draft);
        return respond(req, reply, { page: () => page });
      });
    });

  // ── 1. « Je m'inscris » ─────────────────────────────────────────────────────────────────────
  app.get('/inscription', { schema: { hide: true } }, async (req, reply) =>
    respond(req, reply, { page: () => <InscriptionStartPage ctx={pageContext(req)} /> }),
  );
  app.post(
    '/inscription',
    route({
      operationId: 'commencerInscription',
      summary: 'Inscription, étape 1 : « Je m’inscris »',
      tags: tags.inscription,
      access: 'public',
      body: inscriptionStartSchema,
      responses: { 201: stepResponse },
    }),
    async (req, reply) => {
      const values = (req.body ?? {}) as Record<string, unknown>;
      const form = (errors: FieldErrors) => <InscriptionStartPage ctx={pageContext(req)} values={values} errors={errors} />;
      const parsed = parseBody(inscriptionStartSchema, req.body);
      if (!parsed.ok) return respond(req, reply, { problem: invalidForm(parsed.errors), page: () => form(parsed.errors) });
      return step(
        req,
        reply,
        async () => {
          const { draftId, candidat } = await startInscription(ctx, parsed.data, meta(req));
          reply.setCookie(DRAFT_COOKIE, draftId, cookieOptions);
          return respond(req, reply, {
            status: 201,
            json: { message: 'Inscription commencée.', etapeSuivante: 'cgu', candidat, jeton: draftId },
            redirect: STEP_PATHS.cgu,
          });
        },
        form,
      );
    },
  );

  // ── 2. Conditions générales ───────────────────────────────────────────────────────────────────
  stepPage(STEP_PATHS.cgu, 'cgu', (req) => <CguPage ctx={pageContext(req)} />);
  app.post(STEP_PATHS.cgu, doc('accepterConditions', 'Inscription, étape 2 : conditions générales', cguSchema), async (req, reply) => {
    const parsed = parseBody(cguSchema, req.body);
    if (!parsed.ok)
      return respond(req, reply, {
        problem: invalidForm(parsed.errors, 'Acceptez ou refusez les conditions générales.'),
        page: () => <CguPage ctx={pageContext(req)} errors={parsed.errors} />,
      });
    return step(req, reply, async () => {
      const r = await decideCgu(ctx, draftIdOf(req), parsed.data.decision === 'accepte');
      if (r === 'accepted')
        return respond(req, reply, {
          json: { message: 'Conditions acceptées.', etapeSuivante: 'identification' },
          redirect: STEP_PATHS.identification,
        });
      clearCookie(reply, DRAFT_COOKIE);
      return respond(req, reply, {
        json: { message: 'Inscription abandonnée : les conditions générales ont été refusées.' },
        page: () => (
          <MessagePage ctx={pageContext(req)} title="Inscription abandonnée" type="info">
            Vous avez refusé les conditions générales d’utilisation : votre inscription est abandonnée et aucune donnée n’a été conservée.
          </MessagePage>
        ),
      });
    });
  });

  // ── 3. Identification de votre établissement ──────────────────────────────────────────────────
  stepPage(STEP_PATHS.identification, 'identification', async (req, draft) => {
    const etab = await findEtablissement(ctx.db, draft.data.siret);
    if (!etab) throw new InscriptionError('expired', 'Cet établissement n’est plus dans le répertoire. Recommencez l’inscription.');
    const siege = etab.estSiege
      ? null
      : (await listEtablissementsOfSiren(ctx.db, draft.data.siren, { includeClosed: false })).find((e) => e.estSiege);
    return (
      <IdentificationPage
        ctx={pageContext(req)}
        candidat={draft.data.candidat}
        etab={{
          ...etab,
          raisonSociale: etab.entreprise.raisonSociale,
          siege: siege ? { adresse: siege.adresse, codePostal: siege.codePostal, libelleCommune: siege.libelleCommune } : null,
        }}
      />
    );
  });
  app.post(
    STEP_PATHS.identification,
    doc('confirmerIdentification', 'Inscription, étape 3 : identification confirmée'),
    async (req, reply) =>
      step(req, reply, async () => {
        await confirmIdentification(ctx, draftIdOf(req));
        return respond(req, reply, {
          json: { message: 'Identification confirmée.', etapeSuivante: 'password' },
          redirect: STEP_PATHS.password,
        });
      }),
  );

  // ── 4. Mot de passe et question secrète ───────────────────────────────────────────────────────
  stepPage(STEP_PATHS.password, 'password', (req, draft) => <PasswordPage ctx={pageContext(req)} draft={draft.data} />);
  app.post(
    STEP_PATHS.password,
    doc('choisirMotDePasse', 'Inscription, étape 4 : mot de passe et question secrète', passwordSchema({}).and(secretQuestionSchema)),
    async (req, reply) =>
      step(req, reply, async () => {
        const draft = await loadDraft(ctx, draftIdOf(req));
        if (!draft) throw new InscriptionError('expired', EXPIRED);
        if (draft.step !== 'password')
          throw new InscriptionError(
            'wrong_step',
            'Cette étape n’est pas disponible : poursuivez l’inscription à l’étape en cours.',
            undefined,
            draft.step,
          );
        const parsed = parseBody(passwordSchema({ nom: draft.data.nom, prenom: draft.data.prenom }).and(secretQuestionSchema), req.body);
        if (!parsed.ok)
          return respond(req, reply, {
            problem: invalidForm(parsed.errors),
            page: () => <PasswordPage ctx={pageContext(req)} draft={draft.data} values={parsed.values} errors={parsed.errors} />,
          });
        await choosePassword(ctx, draftIdOf(req), parsed.data);
        return respond(req, reply, { json: { message: 'Mot de passe enregistré.', etapeSuivante: 'recap' }, redirect: STEP_PATHS.recap });
      }),
  );

  // ── 5. Vos données d'authentification ─────────────────────────────────────────────────────────
  stepPage(STEP_PATHS.recap, 'recap', (req, draft) => <RecapPage ctx={pageContext(req)} draft={draft.data} />);
  app.post(
    STEP_PATHS.recap,
    doc('confirmerRecapitulatif', 'Inscription, étape 5 : « S’inscrire aux services net-entreprises »'),
    async (req, reply) =>
      step(req, reply, async () => {
        const next = await confirmRecap(ctx, draftIdOf(req), meta(req));
        return respond(req, reply, { json: { message: 'Récapitulatif confirmé.', etapeSuivante: next }, redirect: STEP_PATHS[next] });
      }),
  );

  // ── 6. Profil et déclarations ─────────────────────────────────────────────────────────────────
  stepPage(STEP_PATHS.profil, 'profil', (req) => <ProfilePage ctx={pageContext(req)} />);
  app.post(STEP_PATHS.profil, doc('choisirProfil', 'Inscription, étape 6 : profil et déclarations', profileSchema), async (req, reply) => {
    const v = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      kind: String(v.kind ?? ''),
      organisationType: String(v.organisationType ?? ''),
      domains: list(v.domains),
      declarations: list(v.declarations),
    };
    const form = (errors: FieldErrors) => <ProfilePage ctx={pageContext(req)} values={values} errors={errors} />;
    const parsed = parseBody(profileSchema, req.body);
    if (!parsed.ok) return respond(req, reply, { problem: invalidForm(parsed.errors), page: () => form(parsed.errors) });
    return step(
      req,
      reply,
      async () => {
        await saveProfile(ctx, draftIdOf(req), parsed.data, meta(req));
        return respond(req, reply, {
          json: { message: 'Inscription enregistrée : validez votre adresse électronique.', etapeSuivante: 'done' },
          redirect: STEP_PATHS.done,
        });
      },
      form,
    );
  });

  // ── 7. Validation de l'inscription ────────────────────────────────────────────────────────────
  stepPage(STEP_PATHS.done, 'done', async (req, draft) => {
    const u = await draftUserEmail(ctx, draft);
    const rows = (draft.data.declarations ?? []).map((code) => {
      const d = findDeclaration(code)!;
      return {
        declarant: `${draft.data.prenom} ${draft.data.nom}`,
        name: d.name,
        description: d.description,
        declarer: true,
        payer: d.payable,
        payable: d.payable,
      };
    });
    return (
      <ValidationPage
        ctx={pageContext(req)}
        draft={draft.data}
        email={u?.email ?? draft.data.email}
        validated={Boolean(u?.emailValidatedAt)}
        rows={rows}
        notice={notice(req)}
      />
    );
  });
  app.post(
    '/inscription/renvoyer',
    doc('renvoyerCourrielInscription', 'Renvoyer le courriel de validation (inscription en cours)'),
    async (req, reply) => {
      const draft = await loadDraft(ctx, draftIdOf(req));
      if (!draft?.data.userId) return refuse(req, reply, new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas.'));
      const r = await resendEmailValidation(ctx, draft.data.userId);
      if (r === 'too_many')
        return respond(req, reply, {
          problem: problem(
            'too_many_requests',
            'trop_de_courriels',
            'Trois courriels ont déjà été envoyés dans l’heure : vérifiez vos courriers indésirables, puis réessayez plus tard.',
          ),
          title: 'Trop de demandes',
        });
      return respond(req, reply, { json: { message: 'Courriel renvoyé.' }, redirect: STEP_PATHS.done, notice: 'courriel-renvoye' });
    },
  );
}

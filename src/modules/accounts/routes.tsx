/**
 * Routes of the account portal. Each route is declared once: it accepts a browser form (and answers
 * with a page) or JSON (and answers with JSON), through the same zod contract. Handlers only parse,
 * authorise, call a use case and answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  answerSchema,
  cguSchema,
  emailChangeSchema,
  errorResponse,
  forgotSchema,
  inscriptionStartSchema,
  loginSchema,
  messageResponse,
  passwordSchema,
  profileSchema,
  secretQuestionSchema,
  currentPasswordField,
} from '../../contracts/accounts.js';
import { findDeclaration } from '../../domain/declarations.js';
import { hmac, safeEqual, sha256 } from '../../infra/crypto.js';
import { parseBody, type FieldErrors } from '../../shared/fields.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { cookieOptions, requireUser, SESSION_COOKIE } from '../../http/security.js';
import {
  CguPage,
  IdentificationPage,
  InscriptionStartPage,
  PasswordPage,
  ProfilePage,
  RecapPage,
  ValidationPage,
} from '../../web/pages/inscription.js';
import { DemandesPage, ForcedChangePage, InformationsPage, MenuPage, SessionsPage } from '../../web/pages/menu.js';
import { EmailValidationPage, ForgotPage, NewPasswordPage, SecretQuestionPage } from '../../web/pages/forgotten-password.js';
import { HomePage, LoginPage, MessagePage } from '../../web/pages/public.js';
import { cguAsText } from '../../web/pages/cgu-text.js';
import { findEtablissement, listEtablissementsOfSiren } from '../entreprises/registry-repository.js';
import { decideCandidat, listPendingDemandes } from './candidat.js';
import { resendEmailValidation, validateEmail } from './email-validation.js';
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
  type Step,
} from './inscription.js';
import { GENERIC_LOGIN_ERROR, login } from './login.js';
import { administratorsOf, menuTiles, openSiretsFor, recentNotifications } from './menu.js';
import { ServicePage } from '../../web/pages/service.js';
import { espaceOf } from '../gestion/scope.js';
import {
  adminResetPassword,
  answerSecretQuestion,
  askAdministratorReset,
  completeForcedChange,
  requestResetLink,
  resetPassword,
  secretQuestionFor,
  type Triplet,
} from './password-reset.js';
import { changePassword, changeSecretQuestion, logoutEverywhere, requestEmailChange } from './personal-information.js';
import { listActiveSessions, revokeSession } from './sessions.js';
import { peekToken } from './tokens-repository.js';
import { demandes } from '../../infra/db/schema.js';
import { and, eq, isNull } from 'drizzle-orm';

const DRAFT_COOKIE = '__Host-inscription';
const RESET_COOKIE = '__Host-reset';
const RESET_TOKEN_COOKIE = '__Host-reset-jeton';

const NOTICES: Record<string, string> = {
  deconnecte: 'Vous êtes déconnecté.',
  'deconnecte-partout': 'Toutes vos sessions ont été fermées.',
  'mot-de-passe-change': 'Votre mot de passe a été modifié. Vos autres sessions ont été fermées.',
  'question-changee': 'Votre question secrète a été modifiée.',
  'courriel-envoye': 'Un lien de validation a été envoyé à la nouvelle adresse. Elle remplacera l’ancienne une fois validée.',
  'mot-de-passe-reinitialise': 'Votre mot de passe a été réinitialisé. Connectez-vous avec le nouveau.',
  'courriel-valide': 'Votre adresse électronique est validée. Vous pouvez vous connecter.',
  'invitation-acceptee': 'Votre mot de passe et votre question secrète sont enregistrés. Vous pouvez vous connecter.',
  'courriel-renvoye': 'Le courriel de validation a été renvoyé.',
  accordee: 'La demande a été accordée ; la personne a été prévenue par courriel.',
  refusee: 'La demande a été refusée ; la personne a été prévenue par courriel.',
  reinitialise: 'Le mot de passe a été réinitialisé ; un mot de passe temporaire a été envoyé par courriel.',
  'identifiants-changes': 'Votre nouveau mot de passe et votre nouvelle question secrète sont enregistrés.',
};
const notice = (req: FastifyRequest) => NOTICES[String((req.query as Record<string, unknown>).notice ?? '')];

const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });
const STEP_PATHS: Record<Step, string> = {
  cgu: '/inscription/conditions',
  identification: '/inscription/identification',
  password: '/inscription/mot-de-passe',
  recap: '/inscription/recapitulatif',
  profil: '/inscription/profil',
  done: '/inscription/validation',
};

/** Where to go back after login: only a local path. */
function safeReturn(r: string | undefined): string {
  return r && /^\/[a-z0-9/_-]*$/i.test(r) && !r.startsWith('//') ? r : '/menu';
}

/** The « question secrète » step remembers the triplet for 30 minutes in a signed cookie. */
const RESET_COOKIE_MS = 30 * 60_000;

function signTriplet(secret: string, t: Triplet, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ ...t, at: now.getTime() })).toString('base64url');
  return `${payload}.${hmac(secret, `reset:${payload}`)}`;
}
function readTriplet(secret: string, v: string | undefined, now: Date): Triplet | null {
  if (!v || v.length > 600) return null;
  const [payload, sig] = v.split('.');
  if (!payload || !sig || !safeEqual(sig, hmac(secret, `reset:${payload}`))) return null;
  try {
    const t = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Triplet & { at?: number };
    if (typeof t.at !== 'number' || now.getTime() - t.at > RESET_COOKIE_MS) return null;
    return { siret: t.siret, nom: t.nom, prenom: t.prenom };
  } catch {
    return null;
  }
}

export async function accountsRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const formDoc = (summary: string, body?: z.ZodType, tags = ['Compte']) => ({
    schema: {
      summary,
      tags,
      ...(body ? { body } : {}),
      response: { 200: messageResponse.loose(), 201: z.any(), 400: errorResponse.loose(), 409: errorResponse.loose() },
    }, // loose: the serializer must not drop etapeSuivante, etapeEnCours, question, jeton…
    attachValidation: true,
  });

  // ── accueil, connexion ──────────────────────────────────────────────────────────────────────
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    if (req.auth) return redirect(reply, '/menu');
    return sendPage(reply, <HomePage ctx={pageContext(req)} notice={notice(req)} />);
  });

  app.get('/connexion', { schema: { hide: true } }, async (req, reply) => {
    if (req.auth) return redirect(reply, '/menu');
    const q = req.query as Record<string, string | undefined>;
    return sendPage(reply, <LoginPage ctx={pageContext(req)} notice={notice(req)} retour={q.retour} />);
  });

  app.post('/connexion', formDoc('Connexion (SIRET, nom, prénom, mot de passe)', loginSchema), async (req, reply) => {
    const parsed = parseBody(loginSchema, req.body);
    if (!parsed.ok) {
      if (wantsJson(req)) return sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors);
      return sendPage(reply, <LoginPage ctx={pageContext(req)} values={parsed.values} errors={parsed.errors} />, 400);
    }
    const r = await login(ctx, parsed.data, meta(req));
    if (!r.ok) {
      const values = { siret: parsed.data.siret, nom: parsed.data.nom, prenom: parsed.data.prenom };
      if (r.reason === 'email_pending') {
        const msg =
          'Votre adresse électronique n’est pas encore validée : ouvrez le lien reçu par courriel, ou demandez un nouveau courriel.';
        if (wantsJson(req)) return sendJsonErrors(reply, 403, msg);
        const resendFor = `${r.userId}.${hmac(ctx.config.sessionSecret, `resend:${r.userId}`)}`;
        return sendPage(reply, <LoginPage ctx={pageContext(req)} values={values} message={msg} resendFor={resendFor} />, 403);
      }
      if (r.reason === 'candidat') {
        const msg = 'Votre demande d’accès est en attente de l’accord d’un administrateur de votre entreprise.';
        if (wantsJson(req)) return sendJsonErrors(reply, 403, msg);
        return sendPage(reply, <LoginPage ctx={pageContext(req)} values={values} message={msg} />, 403);
      }
      if (wantsJson(req)) return sendJsonErrors(reply, 401, GENERIC_LOGIN_ERROR);
      return sendPage(reply, <LoginPage ctx={pageContext(req)} values={values} message={GENERIC_LOGIN_ERROR} />, 401);
    }
    reply.setCookie(SESSION_COOKIE, r.sessionId, cookieOptions);
    if (wantsJson(req)) return reply.send({ message: 'Connecté.', mustChangeCredentials: r.mustChangeCredentials });
    return redirect(reply, r.mustChangeCredentials ? '/menu/changement-obligatoire' : safeReturn(parsed.data.retour));
  });

  app.post('/deconnexion', formDoc('Se déconnecter'), async (req, reply) => {
    if (req.auth) {
      const a = req.auth;
      await ctx.db.transaction(async (tx) => {
        await revokeSession(tx, ctx, a.session.idHash);
        const { audit } = await import('../../infra/audit.js');
        await audit(tx, ctx.clock, { action: 'logout', actorUserId: a.user.id, espaceId: a.user.espaceId, ip: req.ip });
      });
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    if (wantsJson(req)) return reply.send({ message: 'Déconnecté.' });
    return redirect(reply, '/connexion', 'deconnecte');
  });

  app.post(
    '/deconnexion-partout',
    { ...formDoc('Se déconnecter partout'), preValidation: requireUser({ allowForcedChange: true }) },
    async (req, reply) => {
      await logoutEverywhere(ctx, req.auth!.user, meta(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      if (wantsJson(req)) return reply.send({ message: 'Toutes vos sessions sont fermées.' });
      return redirect(reply, '/connexion', 'deconnecte-partout');
    },
  );

  // ── inscription ────────────────────────────────────────────────────────────────────────────
  app.get('/conditions-generales/telecharger', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', 'attachment; filename="conditions-generales-net-entreprises.txt"')
      .send(cguAsText()),
  );
  app.get('/conditions-generales', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', 'text/plain; charset=utf-8').send(cguAsText()),
  );

  app.get('/inscription', { schema: { hide: true } }, async (req, reply) =>
    sendPage(reply, <InscriptionStartPage ctx={pageContext(req)} />),
  );

  /** Answers an InscriptionError: JSON 409/410/400, or back to the right page. */
  const inscriptionFailure = (req: FastifyRequest, reply: FastifyReply, e: unknown, rerender?: (errors: FieldErrors) => unknown) => {
    if (!(e instanceof InscriptionError)) throw e;
    const status = e.code === 'expired' ? 410 : e.code === 'wrong_step' ? 409 : 400;
    if (wantsJson(req))
      return reply.code(status).send({ message: e.message, errors: e.field ? { [e.field]: e.message } : {}, etapeEnCours: e.currentStep });
    if (e.code === 'wrong_step' && e.currentStep) return redirect(reply, STEP_PATHS[e.currentStep]);
    if (e.code === 'expired')
      return sendPage(
        reply,
        <MessagePage
          ctx={pageContext(req)}
          title="Inscription expirée"
          type="warning"
        >{`${e.message} Les inscriptions non terminées expirent au bout d’une heure.`}</MessagePage>,
        410,
      );
    if (rerender) return rerender(e.field ? { [e.field]: e.message } : { _form: e.message });
    return sendPage(
      reply,
      <MessagePage ctx={pageContext(req)} title="Inscription impossible" type="error">
        {e.message}
      </MessagePage>,
      status,
    );
  };

  app.post(
    '/inscription',
    formDoc('Inscription, étape 1 : « Je m’inscris »', inscriptionStartSchema, ['Inscription']),
    async (req, reply) => {
      const parsed = parseBody(inscriptionStartSchema, req.body);
      const rerender = (errors: FieldErrors, values: Record<string, unknown>) => {
        if (wantsJson(req)) return sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', errors);
        return sendPage(reply, <InscriptionStartPage ctx={pageContext(req)} values={values} errors={errors} />, 400);
      };
      if (!parsed.ok) return rerender(parsed.errors, parsed.values);
      try {
        const { draftId, candidat } = await startInscription(ctx, parsed.data, meta(req));
        reply.setCookie(DRAFT_COOKIE, draftId, cookieOptions);
        if (wantsJson(req))
          return reply.code(201).send({ message: 'Inscription commencée.', etapeSuivante: 'cgu', candidat, jeton: draftId });
        return redirect(reply, STEP_PATHS.cgu);
      } catch (e) {
        return inscriptionFailure(req, reply, e, (errors) => rerender(errors, req.body as Record<string, unknown>));
      }
    },
  );

  /** The draft travels in the cookie (browsers) or the x-inscription header (API clients). */
  const draftIdOf = (req: FastifyRequest) => (req.headers['x-inscription'] as string | undefined) ?? req.cookies[DRAFT_COOKIE];

  /** GET of a step page: only the step the draft is at; otherwise go where it is. */
  const stepPage = (
    path: string,
    step: Step,
    render: (req: FastifyRequest, reply: FastifyReply, draft: NonNullable<Awaited<ReturnType<typeof loadDraft>>>) => unknown,
  ) =>
    app.get(path, { schema: { hide: true } }, async (req, reply) => {
      const draft = await loadDraft(ctx, draftIdOf(req));
      if (!draft)
        return inscriptionFailure(
          req,
          reply,
          new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.'),
        );
      if (draft.step !== step) return redirect(reply, STEP_PATHS[draft.step]);
      return render(req, reply, draft);
    });

  stepPage(STEP_PATHS.cgu, 'cgu', (req, reply) => sendPage(reply, <CguPage ctx={pageContext(req)} />));
  app.post(STEP_PATHS.cgu, formDoc('Inscription, étape 2 : conditions générales', cguSchema, ['Inscription']), async (req, reply) => {
    const parsed = parseBody(cguSchema, req.body);
    if (!parsed.ok)
      return wantsJson(req)
        ? sendJsonErrors(reply, 400, 'Acceptez ou refusez les conditions générales.', parsed.errors)
        : sendPage(reply, <CguPage ctx={pageContext(req)} errors={parsed.errors} />, 400);
    try {
      const r = await decideCgu(ctx, draftIdOf(req), parsed.data.decision === 'accepte');
      if (r === 'refused') {
        reply.clearCookie(DRAFT_COOKIE, { path: '/' });
        if (wantsJson(req)) return reply.send({ message: 'Inscription abandonnée : les conditions générales ont été refusées.' });
        return sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Inscription abandonnée" type="info">
            Vous avez refusé les conditions générales d’utilisation : votre inscription est abandonnée et aucune donnée n’a été conservée.
          </MessagePage>,
        );
      }
      return wantsJson(req)
        ? reply.send({ message: 'Conditions acceptées.', etapeSuivante: 'identification' })
        : redirect(reply, STEP_PATHS.identification);
    } catch (e) {
      return inscriptionFailure(req, reply, e);
    }
  });

  stepPage(STEP_PATHS.identification, 'identification', async (req, reply, draft) => {
    const etab = await findEtablissement(ctx.db, draft.data.siret);
    const siege =
      etab && !etab.estSiege
        ? (await listEtablissementsOfSiren(ctx.db, draft.data.siren, { includeClosed: false })).find((e) => e.estSiege)
        : null;
    if (!etab)
      return inscriptionFailure(
        req,
        reply,
        new InscriptionError('expired', 'Cet établissement n’est plus dans le répertoire. Recommencez l’inscription.'),
      );
    return sendPage(
      reply,
      <IdentificationPage
        ctx={pageContext(req)}
        candidat={draft.data.candidat}
        etab={{
          ...etab,
          raisonSociale: etab.entreprise.raisonSociale,
          siege: siege ? { adresse: siege.adresse, codePostal: siege.codePostal, libelleCommune: siege.libelleCommune } : null,
        }}
      />,
    );
  });
  app.post(
    STEP_PATHS.identification,
    formDoc('Inscription, étape 3 : identification confirmée', undefined, ['Inscription']),
    async (req, reply) => {
      try {
        await confirmIdentification(ctx, draftIdOf(req));
        return wantsJson(req)
          ? reply.send({ message: 'Identification confirmée.', etapeSuivante: 'password' })
          : redirect(reply, STEP_PATHS.password);
      } catch (e) {
        return inscriptionFailure(req, reply, e);
      }
    },
  );

  stepPage(STEP_PATHS.password, 'password', (req, reply, draft) =>
    sendPage(reply, <PasswordPage ctx={pageContext(req)} draft={draft.data} />),
  );
  app.post(
    STEP_PATHS.password,
    formDoc('Inscription, étape 4 : mot de passe et question secrète', passwordSchema({}).and(secretQuestionSchema), ['Inscription']),
    async (req, reply) => {
      const draft = await loadDraft(ctx, draftIdOf(req));
      if (!draft)
        return inscriptionFailure(
          req,
          reply,
          new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas. Recommencez depuis le début.'),
        );
      if (draft.step !== 'password')
        return inscriptionFailure(
          req,
          reply,
          new InscriptionError(
            'wrong_step',
            'Cette étape n’est pas disponible : poursuivez l’inscription à l’étape en cours.',
            undefined,
            draft.step,
          ),
        );
      const parsed = parseBody(passwordSchema({ nom: draft.data.nom, prenom: draft.data.prenom }).and(secretQuestionSchema), req.body);
      if (!parsed.ok) {
        if (wantsJson(req)) return sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors);
        return sendPage(
          reply,
          <PasswordPage ctx={pageContext(req)} draft={draft.data} values={parsed.values} errors={parsed.errors} />,
          400,
        );
      }
      try {
        await choosePassword(ctx, draftIdOf(req), parsed.data);
        return wantsJson(req)
          ? reply.send({ message: 'Mot de passe enregistré.', etapeSuivante: 'recap' })
          : redirect(reply, STEP_PATHS.recap);
      } catch (e) {
        return inscriptionFailure(req, reply, e);
      }
    },
  );

  stepPage(STEP_PATHS.recap, 'recap', (req, reply, draft) => sendPage(reply, <RecapPage ctx={pageContext(req)} draft={draft.data} />));
  app.post(
    STEP_PATHS.recap,
    formDoc('Inscription, étape 5 : « S’inscrire aux services net-entreprises »', undefined, ['Inscription']),
    async (req, reply) => {
      try {
        const next = await confirmRecap(ctx, draftIdOf(req), meta(req));
        void ctx.mail.flush().catch(() => undefined);
        return wantsJson(req) ? reply.send({ message: 'Récapitulatif confirmé.', etapeSuivante: next }) : redirect(reply, STEP_PATHS[next]);
      } catch (e) {
        return inscriptionFailure(req, reply, e);
      }
    },
  );

  stepPage(STEP_PATHS.profil, 'profil', (req, reply) => sendPage(reply, <ProfilePage ctx={pageContext(req)} />));
  app.post(
    STEP_PATHS.profil,
    formDoc('Inscription, étape 6 : profil et déclarations', profileSchema, ['Inscription']),
    async (req, reply) => {
      const parsed = parseBody(profileSchema, req.body);
      const rerender = (errors: FieldErrors) => {
        if (wantsJson(req)) return sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', errors);
        const v = (req.body ?? {}) as Record<string, unknown>;
        const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);
        return sendPage(
          reply,
          <ProfilePage
            ctx={pageContext(req)}
            values={{
              kind: String(v.kind ?? ''),
              organisationType: String(v.organisationType ?? ''),
              domains: list(v.domains),
              declarations: list(v.declarations),
            }}
            errors={errors}
          />,
          400,
        );
      };
      if (!parsed.ok) return rerender(parsed.errors);
      try {
        await saveProfile(ctx, draftIdOf(req), parsed.data, meta(req));
        void ctx.mail.flush().catch(() => undefined);
        return wantsJson(req)
          ? reply.send({ message: 'Inscription enregistrée : validez votre adresse électronique.', etapeSuivante: 'done' })
          : redirect(reply, STEP_PATHS.done);
      } catch (e) {
        return inscriptionFailure(req, reply, e, rerender);
      }
    },
  );

  stepPage(STEP_PATHS.done, 'done', async (req, reply, draft) => {
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
    return sendPage(
      reply,
      <ValidationPage
        ctx={pageContext(req)}
        draft={draft.data}
        email={u?.email ?? draft.data.email}
        validated={Boolean(u?.emailValidatedAt)}
        rows={rows}
        notice={notice(req)}
      />,
    );
  });
  app.post(
    '/inscription/renvoyer',
    formDoc('Renvoyer le courriel de validation (inscription en cours)', undefined, ['Inscription']),
    async (req, reply) => {
      const draft = await loadDraft(ctx, draftIdOf(req));
      if (!draft?.data.userId)
        return inscriptionFailure(req, reply, new InscriptionError('expired', 'Votre inscription a expiré ou n’existe pas.'));
      const r = await resendEmailValidation(ctx, draft.data.userId);
      void ctx.mail.flush().catch(() => undefined);
      if (r === 'too_many') {
        const msg = 'Trois courriels ont déjà été envoyés dans l’heure : vérifiez vos courriers indésirables, puis réessayez plus tard.';
        return wantsJson(req)
          ? sendJsonErrors(reply, 429, msg)
          : sendPage(
              reply,
              <MessagePage ctx={pageContext(req)} title="Trop de demandes" type="warning">
                {msg}
              </MessagePage>,
              429,
            );
      }
      return wantsJson(req) ? reply.send({ message: 'Courriel renvoyé.' }) : redirect(reply, STEP_PATHS.done, 'courriel-renvoye');
    },
  );

  // ── validation de l'adresse électronique ──────────────────────────────────────────────────────
  app.get('/validation-courriel', { schema: { hide: true } }, async (req, reply) => {
    const token = String((req.query as Record<string, unknown>).jeton ?? '');
    const live = (await peekToken(ctx.db, ctx, token, 'email_validation')) ?? (await peekToken(ctx.db, ctx, token, 'email_change'));
    if (!live)
      return sendPage(
        reply,
        <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
          Ce lien de validation n’est plus valable : il a déjà servi ou a expiré. Connectez-vous pour en demander un nouveau.
        </MessagePage>,
        410,
      );
    return sendPage(reply, <EmailValidationPage ctx={pageContext(req)} token={token} />);
  });
  app.post(
    '/validation-courriel',
    formDoc('Valider une adresse électronique (jeton reçu par courriel)', z.object({ jeton: z.string().max(100) })),
    async (req, reply) => {
      const token = String((req.body as Record<string, unknown> | undefined)?.jeton ?? '');
      const r = await validateEmail(ctx, token, meta(req));
      void ctx.mail.flush().catch(() => undefined);
      if (!r.ok) {
        const msg = 'Ce lien de validation n’est plus valable : il a déjà servi ou a expiré.';
        return wantsJson(req)
          ? sendJsonErrors(reply, 410, msg)
          : sendPage(
              reply,
              <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
                {msg}
              </MessagePage>,
              410,
            );
      }
      reply.clearCookie(DRAFT_COOKIE, { path: '/' });
      const msg =
        r.kind === 'candidat'
          ? 'Votre adresse électronique est validée. Les administrateurs de votre entreprise ont été prévenus de votre demande ; vous recevrez un courriel dès qu’elle sera traitée.'
          : r.kind === 'email_changed'
            ? 'Votre nouvelle adresse électronique est validée.'
            : 'Votre adresse électronique est validée. Vous pouvez vous connecter.';
      if (wantsJson(req)) return reply.send({ message: msg });
      if (r.kind === 'active') return redirect(reply, '/connexion', 'courriel-valide');
      return sendPage(
        reply,
        <MessagePage ctx={pageContext(req)} title="Adresse électronique validée" type="success">
          {msg}
        </MessagePage>,
      );
    },
  );
  app.post(
    '/validation-courriel/renvoyer',
    formDoc('Renvoyer le courriel de validation (après une connexion refusée)', z.object({ demande: z.string().max(200) })),
    async (req, reply) => {
      const demande = String((req.body as Record<string, unknown> | undefined)?.demande ?? '');
      const [userId, sig] = demande.split('.');
      if (!userId || !sig || !safeEqual(sig, hmac(ctx.config.sessionSecret, `resend:${userId}`)))
        return wantsJson(req) ? sendJsonErrors(reply, 400, 'Demande non valide.') : redirect(reply, '/connexion');
      const r = await resendEmailValidation(ctx, userId);
      void ctx.mail.flush().catch(() => undefined);
      const msg =
        r === 'too_many'
          ? 'Trois courriels ont déjà été envoyés dans l’heure : réessayez plus tard.'
          : 'Si votre adresse n’est pas encore validée, un nouveau courriel vient de vous être envoyé.';
      return wantsJson(req)
        ? reply.send({ message: msg })
        : sendPage(
            reply,
            <MessagePage ctx={pageContext(req)} title="Courriel de validation" type={r === 'too_many' ? 'warning' : 'info'}>
              {msg}
            </MessagePage>,
            r === 'too_many' ? 429 : 200,
          );
    },
  );

  // ── mot de passe oublié ──────────────────────────────────────────────────────────────────────
  app.get('/mot-de-passe-oublie', { schema: { hide: true } }, async (req, reply) => sendPage(reply, <ForgotPage ctx={pageContext(req)} />));
  app.post(
    '/mot-de-passe-oublie',
    formDoc('Mot de passe oublié : triplet et méthode', forgotSchema, ['Mot de passe oublié']),
    async (req, reply) => {
      const parsed = parseBody(forgotSchema, req.body);
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors)
          : sendPage(reply, <ForgotPage ctx={pageContext(req)} values={parsed.values} errors={parsed.errors} />, 400);
      const t: Triplet = { siret: parsed.data.siret, nom: parsed.data.nom, prenom: parsed.data.prenom };
      const same = 'Si ces informations correspondent à un compte, la suite de la procédure vous a été envoyée par courriel.';
      switch (parsed.data.methode) {
        case 'question': {
          const question = await secretQuestionFor(ctx, t);
          reply.setCookie(RESET_COOKIE, signTriplet(ctx.config.sessionSecret, t, ctx.clock.now()), { ...cookieOptions, maxAge: 1800 });
          if (wantsJson(req)) return reply.send({ message: 'Répondez à la question secrète.', question });
          return sendPage(reply, <SecretQuestionPage ctx={pageContext(req)} question={question} />);
        }
        case 'courriel':
          await requestResetLink(ctx, t, meta(req));
          void ctx.mail.flush().catch(() => undefined);
          return wantsJson(req)
            ? reply.send({ message: same })
            : sendPage(
                reply,
                <MessagePage
                  ctx={pageContext(req)}
                  title="Mot de passe oublié"
                  type="info"
                >{`${same} Le lien est valable une heure.`}</MessagePage>,
              );
        case 'administrateur': {
          await askAdministratorReset(ctx, t, meta(req));
          void ctx.mail.flush().catch(() => undefined);
          const msg =
            'Si ces informations correspondent à un compte, votre demande a été transmise aux administrateurs de votre entreprise. Vous recevrez un mot de passe temporaire par courriel.';
          return wantsJson(req)
            ? reply.send({ message: msg })
            : sendPage(
                reply,
                <MessagePage ctx={pageContext(req)} title="Mot de passe oublié" type="info">
                  {msg}
                </MessagePage>,
              );
        }
      }
    },
  );
  app.post(
    '/mot-de-passe-oublie/question',
    formDoc('Mot de passe oublié : réponse à la question secrète', answerSchema, ['Mot de passe oublié']),
    async (req, reply) => {
      const t = readTriplet(ctx.config.sessionSecret, req.cookies[RESET_COOKIE], ctx.clock.now());
      if (!t)
        return wantsJson(req) ? sendJsonErrors(reply, 410, 'La demande a expiré : recommencez.') : redirect(reply, '/mot-de-passe-oublie');
      const question = await secretQuestionFor(ctx, t);
      const parsed = parseBody(answerSchema, req.body);
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, 'La réponse est obligatoire.', parsed.errors)
          : sendPage(reply, <SecretQuestionPage ctx={pageContext(req)} question={question} errors={parsed.errors} />, 400);
      const r = await answerSecretQuestion(ctx, t, parsed.data.answer, meta(req));
      if (!r.ok) {
        const msg = r.locked
          ? 'Trop de réponses incorrectes : la question secrète est bloquée pendant 60 minutes.'
          : 'La réponse ne permet pas de vous identifier.';
        if (wantsJson(req)) return sendJsonErrors(reply, r.locked ? 429 : 400, msg);
        return sendPage(
          reply,
          <SecretQuestionPage
            ctx={pageContext(req)}
            question={question}
            locked={r.locked}
            errors={r.locked ? undefined : { answer: msg }}
          />,
          r.locked ? 429 : 400,
        );
      }
      reply.clearCookie(RESET_COOKIE, { path: '/' });
      if (wantsJson(req)) return reply.send({ message: 'Réponse correcte : choisissez un nouveau mot de passe.', jeton: r.resetToken });
      reply.setCookie(RESET_TOKEN_COOKIE, r.resetToken, { ...cookieOptions, maxAge: 3600 });
      return redirect(reply, '/mot-de-passe-oublie/nouveau');
    },
  );
  app.get('/mot-de-passe-oublie/nouveau', { schema: { hide: true } }, async (req, reply) => {
    if (!req.cookies[RESET_TOKEN_COOKIE]) return redirect(reply, '/mot-de-passe-oublie');
    return sendPage(reply, <NewPasswordPage ctx={pageContext(req)} action="/mot-de-passe-oublie/nouveau" />);
  });
  app.get('/reinitialisation', { schema: { hide: true } }, async (req, reply) => {
    const token = String((req.query as Record<string, unknown>).jeton ?? '');
    if (!(await peekToken(ctx.db, ctx, token, 'password_reset')))
      return sendPage(
        reply,
        <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
          Ce lien de réinitialisation n’est plus valable : il a déjà servi ou a expiré (une heure). Faites une nouvelle demande.
        </MessagePage>,
        410,
      );
    return sendPage(reply, <NewPasswordPage ctx={pageContext(req)} action="/reinitialisation" token={token} />);
  });
  for (const path of ['/mot-de-passe-oublie/nouveau', '/reinitialisation']) {
    app.post(
      path,
      formDoc('Mot de passe oublié : nouveau mot de passe', passwordSchema({}).and(z.object({ jeton: z.string().max(100).optional() })), [
        'Mot de passe oublié',
      ]),
      async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const token =
          path === '/reinitialisation' || typeof body.jeton === 'string' ? String(body.jeton ?? '') : req.cookies[RESET_TOKEN_COOKIE];
        const live = await peekToken(ctx.db, ctx, token, 'password_reset');
        const parsed = parseBody(passwordSchema(live ? await namesOf(live.userId) : {}), req.body);
        if (!parsed.ok)
          return wantsJson(req)
            ? sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors)
            : sendPage(
                reply,
                <NewPasswordPage
                  ctx={pageContext(req)}
                  action={path}
                  token={path === '/reinitialisation' ? token : undefined}
                  errors={parsed.errors}
                />,
                400,
              );
        const ok = await resetPassword(ctx, token, parsed.data.password, meta(req));
        void ctx.mail.flush().catch(() => undefined);
        if (!ok) {
          const msg = 'Ce lien de réinitialisation n’est plus valable : il a déjà servi ou a expiré. Faites une nouvelle demande.';
          return wantsJson(req)
            ? sendJsonErrors(reply, 410, msg)
            : sendPage(
                reply,
                <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
                  {msg}
                </MessagePage>,
                410,
              );
        }
        reply.clearCookie(RESET_TOKEN_COOKIE, { path: '/' });
        return wantsJson(req)
          ? reply.send({ message: 'Mot de passe réinitialisé.' })
          : redirect(reply, '/connexion', 'mot-de-passe-reinitialise');
      },
    );
  }
  async function namesOf(userId: string) {
    const { findUserById } = await import('./users-repository.js');
    const u = await findUserById(ctx.db, userId);
    return u ? { nom: u.nom, prenom: u.prenom } : {};
  }

  // ── menu personnalisé ────────────────────────────────────────────────────────────────────────
  const signedIn = { preValidation: requireUser() };
  const admin = { preValidation: requireUser({ admin: true }) };

  app.get(
    '/menu',
    { ...signedIn, schema: { summary: 'Menu personnalisé : tuiles des déclarations, notifications', tags: ['Menu'] } },
    async (req, reply) => {
      const user = req.auth!.user;
      const [tiles, notifs, admins, pending, espace] = await Promise.all([
        menuTiles(ctx, user),
        recentNotifications(ctx, user.id),
        administratorsOf(ctx, user.espaceId),
        user.role === 'administrateur' ? listPendingDemandes(ctx, user.espaceId) : Promise.resolve([]),
        espaceOf(ctx.db, user),
      ]);
      if (wantsJson(req))
        return reply.send({
          declarations: tiles,
          notifications: notifs,
          administrateurs: admins.map((a) => ({ nom: a.nom, prenom: a.prenom })),
          demandesEnAttente: pending.length,
        });
      return sendPage(
        reply,
        <MenuPage
          ctx={pageContext(req)}
          tiles={tiles}
          notifications={notifs}
          isAdmin={user.role === 'administrateur'}
          isTiers={espace.kind === 'tiers_declarant'}
          pending={pending.length}
          administrators={admins}
          notice={notice(req)}
        />,
      );
    },
  );

  app.get(
    '/services/:code',
    {
      ...signedIn,
      schema: {
        summary: 'Entrée d’un service (tuile) : établissements ouverts pour l’utilisateur',
        tags: ['Menu'],
        params: z.object({ code: z.string().max(40) }),
      },
    },
    async (req, reply) => {
      const decl = findDeclaration(String((req.params as { code: string }).code).toUpperCase());
      const sirets = decl ? await openSiretsFor(ctx, req.auth!.user, decl.code) : [];
      if (!decl || sirets.length === 0) {
        const msg = 'Ce service ne vous est pas ouvert : vous n’y êtes pas habilité, ou le délai d’accès de 24 heures n’est pas écoulé.';
        return wantsJson(req)
          ? sendJsonErrors(reply, 403, msg)
          : sendPage(
              reply,
              <MessagePage ctx={pageContext(req)} title="Service non accessible" type="warning">
                {msg}
              </MessagePage>,
              403,
            );
      }
      if (wantsJson(req)) return reply.send({ declaration: decl, etablissements: sirets });
      // SOLTéA has its own screens: the tile opens the employer's or the establishment's space.
      if (decl.code === 'SOLTEA_EMPLOYEURS') return reply.redirect('/soltea/employeur', 303);
      if (decl.code === 'SOLTEA_ETABLISSEMENTS') return reply.redirect('/soltea/etablissement', 303);
      return sendPage(reply, <ServicePage ctx={pageContext(req)} declaration={decl} sirets={sirets} />);
    },
  );

  const infoPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: FieldErrors; form?: 'password' | 'question' | 'email' } = {},
    status = 200,
  ) => {
    const u = req.auth!.user;
    const admins = await administratorsOf(ctx, u.espaceId);
    return sendPage(
      reply,
      <InformationsPage ctx={pageContext(req)} user={u} administrators={admins} notice={notice(req)} {...extra} />,
      status,
    );
  };
  app.get('/menu/informations', { ...signedIn, schema: { hide: true } }, (req, reply) => infoPage(req, reply));

  const passwordChange = passwordSchema({}).and(z.object({ current: currentPasswordField }));
  app.post(
    '/menu/informations/mot-de-passe',
    { ...signedIn, ...formDoc('Changer de mot de passe', passwordChange, ['Informations personnelles']) },
    async (req, reply) => {
      const { user, session } = req.auth!;
      const parsed = parseBody(
        passwordSchema({ nom: user.nom, prenom: user.prenom }).and(z.object({ current: currentPasswordField })),
        req.body,
      );
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors)
          : infoPage(req, reply, { errors: parsed.errors, form: 'password' }, 400);
      const r = await changePassword(
        ctx,
        user,
        session.idHash,
        { current: parsed.data.current, password: parsed.data.password },
        meta(req),
      );
      if (!r.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, r.message, { [r.field]: r.message })
          : infoPage(req, reply, { errors: { [r.field]: r.message }, form: 'password' }, 400);
      return wantsJson(req)
        ? reply.send({ message: NOTICES['mot-de-passe-change']! })
        : redirect(reply, '/menu/informations', 'mot-de-passe-change');
    },
  );

  const questionChange = secretQuestionSchema.and(z.object({ current: currentPasswordField }));
  app.post(
    '/menu/informations/question-secrete',
    { ...signedIn, ...formDoc('Changer de question secrète', questionChange, ['Informations personnelles']) },
    async (req, reply) => {
      const parsed = parseBody(questionChange, req.body);
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors)
          : infoPage(req, reply, { errors: parsed.errors, form: 'question' }, 400);
      const r = await changeSecretQuestion(ctx, req.auth!.user, parsed.data, meta(req));
      if (!r.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, r.message, { [r.field]: r.message })
          : infoPage(req, reply, { errors: { [r.field]: r.message }, form: 'question' }, 400);
      return wantsJson(req)
        ? reply.send({ message: NOTICES['question-changee']! })
        : redirect(reply, '/menu/informations', 'question-changee');
    },
  );

  app.post(
    '/menu/informations/courriel',
    { ...signedIn, ...formDoc('Changer d’adresse électronique (validée par un lien)', emailChangeSchema, ['Informations personnelles']) },
    async (req, reply) => {
      const parsed = parseBody(emailChangeSchema, req.body);
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors)
          : infoPage(req, reply, { errors: parsed.errors, form: 'email' }, 400);
      const r = await requestEmailChange(ctx, req.auth!.user, parsed.data, meta(req));
      void ctx.mail.flush().catch(() => undefined);
      if (!r.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, r.message, { [r.field]: r.message })
          : infoPage(req, reply, { errors: { [r.field]: r.message }, form: 'email' }, 400);
      return wantsJson(req)
        ? reply.send({ message: NOTICES['courriel-envoye']! })
        : redirect(reply, '/menu/informations', 'courriel-envoye');
    },
  );

  app.get(
    '/menu/sessions',
    { ...signedIn, schema: { summary: 'Vos sessions ouvertes', tags: ['Informations personnelles'] } },
    async (req, reply) => {
      const { user, session } = req.auth!;
      const list = (await listActiveSessions(ctx, user.id)).map((s) => ({
        current: s.idHash === session.idHash,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        ip: s.ip,
        userAgent: s.userAgent,
      }));
      if (wantsJson(req)) return reply.send({ sessions: list });
      return sendPage(reply, <SessionsPage ctx={pageContext(req)} sessions={list} />);
    },
  );

  app.get(
    '/menu/changement-obligatoire',
    { preValidation: requireUser({ allowForcedChange: true }), schema: { hide: true } },
    async (req, reply) => {
      const u = req.auth!.user;
      if (!u.mustChangeCredentials) return redirect(reply, '/menu');
      return sendPage(reply, <ForcedChangePage ctx={pageContext(req)} nom={u.nom} prenom={u.prenom} />);
    },
  );
  app.post(
    '/menu/changement-obligatoire',
    {
      preValidation: requireUser({ allowForcedChange: true }),
      ...formDoc(
        'Nouveau mot de passe et question secrète imposés après une réinitialisation',
        passwordSchema({}).and(secretQuestionSchema),
        ['Informations personnelles'],
      ),
    },
    async (req, reply) => {
      const { user, session } = req.auth!;
      if (!user.mustChangeCredentials) return wantsJson(req) ? reply.send({ message: 'Rien à changer.' }) : redirect(reply, '/menu');
      const parsed = parseBody(passwordSchema({ nom: user.nom, prenom: user.prenom }).and(secretQuestionSchema), req.body);
      if (!parsed.ok)
        return wantsJson(req)
          ? sendJsonErrors(reply, 400, 'Le formulaire contient des erreurs.', parsed.errors)
          : sendPage(
              reply,
              <ForcedChangePage ctx={pageContext(req)} nom={user.nom} prenom={user.prenom} values={parsed.values} errors={parsed.errors} />,
              400,
            );
      await completeForcedChange(ctx, user, parsed.data, session.idHash, meta(req));
      return wantsJson(req) ? reply.send({ message: NOTICES['identifiants-changes']! }) : redirect(reply, '/menu', 'identifiants-changes');
    },
  );

  // ── demande en attente (administrateurs) ───────────────────────────────────────────────────────
  app.get(
    '/menu/demandes',
    { ...admin, schema: { summary: 'Demande en attente (administrateurs)', tags: ['Espace entreprise'] } },
    async (req, reply) => {
      const list = await listPendingDemandes(ctx, req.auth!.user.espaceId);
      if (wantsJson(req)) return reply.send({ demandes: list });
      return sendPage(reply, <DemandesPage ctx={pageContext(req)} demandes={list} notice={notice(req)} />);
    },
  );
  const decisionParams = z.object({ id: z.string().max(64), decision: z.enum(['accorder', 'refuser', 'reinitialiser']) });
  app.post(
    '/menu/demandes/:id/:decision',
    {
      ...admin,
      schema: {
        summary: 'Accorder ou refuser un candidat administrateur, ou réinitialiser un mot de passe demandé',
        tags: ['Espace entreprise'],
        params: decisionParams,
      },
      attachValidation: true,
    },
    async (req, reply) => {
      const p = decisionParams.safeParse(req.params);
      const adminUser = req.auth!.user;
      const notFound = () =>
        wantsJson(req)
          ? sendJsonErrors(reply, 404, 'Demande introuvable ou déjà traitée.')
          : sendPage(
              reply,
              <MessagePage ctx={pageContext(req)} title="Demande introuvable" type="error">
                Cette demande est introuvable ou a déjà été traitée.
              </MessagePage>,
              404,
            );
      if (!p.success) return notFound();
      let result: string;
      if (p.data.decision === 'reinitialiser') {
        if (!/^[0-9a-f-]{36}$/.test(p.data.id)) return notFound();
        const [d] = await ctx.db
          .select()
          .from(demandes)
          .where(
            and(
              eq(demandes.id, p.data.id),
              eq(demandes.espaceId, adminUser.espaceId),
              eq(demandes.kind, 'reinitialisation'),
              isNull(demandes.decidedAt),
            ),
          );
        if (!d) return notFound();
        const r = await adminResetPassword(ctx, adminUser, d.userId, meta(req));
        if (r === 'not_found') return notFound();
        result = 'reinitialise';
      } else {
        const r = await decideCandidat(ctx, adminUser, p.data.id, p.data.decision === 'accorder', meta(req));
        if (r === 'not_found') return notFound();
        result = r === 'granted' ? 'accordee' : 'refusee';
      }
      void ctx.mail.flush().catch(() => undefined);
      return wantsJson(req) ? reply.send({ message: NOTICES[result]! }) : redirect(reply, '/menu/demandes', result);
    },
  );

  void sha256;
}

/** The link of « Validation de votre adresse électronique » (inscription, change of address) and asking for it again. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hmac, safeEqual } from '../../../infra/crypto.js';
import { pageContext, respond } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { clearCookie } from '../../../http/security.js';
import { textField } from '../../../shared/fields.js';
import { problem } from '../../../shared/problem.js';
import { EmailValidationPage } from '../../../web/pages/forgotten-password.js';
import { MessagePage } from '../../../web/pages/public.js';
import { resendEmailValidation, validateEmail } from '../email-validation.js';
import { peekToken } from '../tokens-repository.js';
import { DRAFT_COOKIE, meta, NOTICES, tags, tooManyMails } from './common.js';

const LINK_GONE = problem('gone', 'lien_expire', 'Ce lien de validation n’est plus valable : il a déjà servi ou a expiré.');
const jetonSchema = z.object({ jeton: z.string().max(100) });
const demandeSchema = z.object({ demande: z.string().max(200) });

export async function validationCourrielRoutes(app: FastifyInstance) {
  const doc = { tags: tags.compte, access: 'public' as const };
  app.get('/validation-courriel', { schema: { hide: true } }, linkPage);
  app.post(
    '/validation-courriel',
    route({
      ...doc,
      operationId: 'validerCourriel',
      summary: 'Valider une adresse électronique (jeton reçu par courriel)',
      body: jetonSchema,
    }),
    validate,
  );
  app.post(
    '/validation-courriel/renvoyer',
    route({
      ...doc,
      rateLimits: RATE_LIMITS.courriel,
      operationId: 'renvoyerCourrielValidation',
      summary: 'Renvoyer le courriel de validation (après une connexion refusée)',
      body: demandeSchema,
    }),
    resend,
  );
}

async function linkPage(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const token = textField(req.query, 'jeton');
  const live = (await peekToken(ctx.db, ctx, token, 'email_validation')) ?? (await peekToken(ctx.db, ctx, token, 'email_change'));
  if (!live)
    return respond(req, reply, {
      problem: LINK_GONE,
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
          Ce lien de validation n’est plus valable : il a déjà servi ou a expiré. Connectez-vous pour en demander un nouveau.
        </MessagePage>
      ),
    });
  return respond(req, reply, { page: () => <EmailValidationPage ctx={pageContext(req)} token={token} /> });
}

/**
 * A first administrator and a candidat AD get the same answer (docs/regles.md#comptes): the candidat
 * learns by mail that the request went to the administrators (email-validation.ts).
 */
async function validate(req: FastifyRequest, reply: FastifyReply) {
  const token = textField(req.body, 'jeton');
  const r = await validateEmail(req.server.ctx, token, meta(req));
  if (!r.ok) return respond(req, reply, { problem: LINK_GONE, title: 'Lien non valide' });
  clearCookie(reply, DRAFT_COOKIE);
  if (r.kind !== 'email_changed')
    return respond(req, reply, { json: { message: NOTICES['courriel-valide'] }, redirect: '/connexion', notice: 'courriel-valide' });
  const message = 'Votre nouvelle adresse électronique est validée.';
  return respond(req, reply, { message, title: 'Adresse électronique validée', tone: 'success' });
}

async function resend(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const demande = textField(req.body, 'demande');
  const [userId, sig] = demande.split('.');
  if (!userId || !sig || !safeEqual(sig, hmac(ctx.config.sessionSecret, `resend:${userId}`)))
    return respond(req, reply, { problem: problem('invalid', 'demande_invalide', 'Demande non valide.'), redirect: '/connexion' });
  if ((await resendEmailValidation(ctx, userId)) === 'too_many')
    return respond(req, reply, {
      problem: tooManyMails('réessayez plus tard.'),
      title: 'Courriel de validation',
    });
  const message = 'Si votre adresse n’est pas encore validée, un nouveau courriel vient de vous être envoyé.';
  return respond(req, reply, { message, title: 'Courriel de validation', tone: 'info' });
}

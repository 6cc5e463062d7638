/**
 * The invitation of a new déclarant: a mail with a link valid 48 hours, used once, where the person
 * chooses a password and a secret question (« Gérer les déclarants », and the collaborators added under
 * « Inscription des déclarants » once their administrator's address is validated).
 */
import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../infra/db/index.js';
import { queueMail } from '../../infra/mail.js';
import { publicUrl } from '../../shared/urls.js';
import { issueToken } from './tokens-repository.js';

export const INVITATION_SUBJECT = 'Vous avez été ajouté comme déclarant sur net-entreprises';

function invitationMail(
  ctx: AppContext,
  p: { prenom: string; nom: string },
  inviter: { prenom: string; nom: string },
  siret: string,
  token: string,
) {
  return [
    `Bonjour ${p.prenom} ${p.nom},`,
    '',
    `Vous avez été ajouté comme déclarant sur net-entreprises par ${inviter.prenom} ${inviter.nom}, administrateur de votre entreprise.`,
    '',
    'Pour accéder à vos services, choisissez votre mot de passe et votre question secrète en ouvrant ce lien (valable 48 heures, utilisable une seule fois) :',
    '',
    publicUrl(ctx, `/invitation?jeton=${token}`),
    '',
    `Vous vous connecterez ensuite avec le SIRET ${siret}, votre nom, votre prénom et ce mot de passe.`,
    '',
    'Si vous ne connaissez pas cette entreprise, ignorez ce message.',
    '',
    'net-entreprises',
  ].join('\n');
}

/** A new invitation link for `p`, mailed in the caller's transaction. */
export async function sendInvitation(
  tx: Tx,
  ctx: AppContext,
  inviter: { prenom: string; nom: string },
  p: { id: string; prenom: string; nom: string; email: string; siret: string },
) {
  const token = await issueToken(tx, ctx, p.id, 'invitation');
  await queueMail(tx, ctx.clock, { to: p.email, subject: INVITATION_SUBJECT, text: invitationMail(ctx, p, inviter, p.siret, token) });
}

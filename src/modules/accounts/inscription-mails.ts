/**
 * The mails that carry what the inscription's answers never show (docs/regles.md#comptes, « Pas
 * d'énumération des comptes »): the same pages for everyone, and what differs only by mail, to the
 * people concerned.
 */
import type { AppContext } from '../../app-context.js';
import { formatSiret } from '../../domain/identifiers.js';
import type { Tx } from '../../infra/db/index.js';
import type { users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { publicUrl } from '../../shared/urls.js';

type User = typeof users.$inferSelect;

export const TRIPLET_TAKEN_SUBJECT = 'Tentative d’inscription avec vos nom et prénom';
export const CANDIDAT_TRANSMITTED_SUBJECT = 'Votre demande est transmise aux administrateurs de votre entreprise';

/**
 * Someone went through the inscription with the names of a person already registered on this SIRET:
 * no account was created; that person is told at their registered address (never at the address typed
 * in the form, which may be an attacker's). At most one such mail per person and day.
 */
export async function mailTripletTaken(
  tx: Tx,
  ctx: AppContext,
  owner: User,
  attempt: { siret: string; raisonSociale?: string | undefined },
): Promise<void> {
  const day = ctx.clock.now().toISOString().slice(0, 10);
  const company = attempt.raisonSociale ? ` (${attempt.raisonSociale})` : '';
  await queueMail(tx, ctx.clock, {
    to: owner.email,
    subject: TRIPLET_TAKEN_SUBJECT,
    dedupeKey: `inscription-doublon:${owner.id}:${day}`,
    text: [
      `Bonjour ${owner.prenom} ${owner.nom},`,
      '',
      `Une inscription à net-entreprises vient d’être demandée avec vos nom et prénom pour le SIRET ${formatSiret(attempt.siret)}${company}.`,
      'Vous êtes déjà inscrit : aucun nouveau compte n’a été créé et votre compte n’a pas été modifié.',
      '',
      'Si c’était vous, connectez-vous avec votre mot de passe habituel. Si vous l’avez oublié, utilisez « Mot de passe oublié » :',
      '',
      publicUrl(ctx, '/mot-de-passe-oublie'),
      '',
      'Si votre adresse électronique n’était pas encore validée, la page de connexion vous propose un nouveau courriel de validation.',
      'Si ce n’était pas vous, vous n’avez rien à faire.',
      '',
      'net-entreprises',
    ].join('\n'),
  });
}

/** A candidat AD's address is validated: their request went to the company's administrators. */
export async function mailCandidatTransmitted(tx: Tx, ctx: AppContext, candidat: User): Promise<void> {
  await queueMail(tx, ctx.clock, {
    to: candidat.email,
    subject: CANDIDAT_TRANSMITTED_SUBJECT,
    text: [
      `Bonjour ${candidat.prenom} ${candidat.nom},`,
      '',
      'Votre adresse électronique est validée.',
      `Votre entreprise (SIRET ${formatSiret(candidat.siret)}) a déjà un administrateur sur net-entreprises : votre demande de devenir administrateur, avec le profil et les déclarations choisis, a été transmise à ses administrateurs.`,
      'L’un d’eux l’accordera ou la refusera dans « Demande en attente » ; vous recevrez un courriel dès qu’elle sera traitée. D’ici là, la connexion n’est pas possible.',
      '',
      'net-entreprises',
    ].join('\n'),
  });
}

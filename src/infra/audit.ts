/**
 * Audit trail: who did what, when, from where. Written in the same transaction as the change.
 * Never pass a credential (password, secret answer, token) in `details`.
 */
import type { Tx } from './db/index.js';
import { auditEvents } from './db/schema.js';
import type { Clock } from './clock.js';
import { auditedActions } from './metrics.js';

export type AuditAction =
  | 'login.success'
  | 'login.failure'
  | 'login.locked'
  | 'logout'
  | 'logout.all'
  | 'session.revoked'
  | 'inscription.started'
  | 'inscription.cgu_refused'
  | 'inscription.abandoned'
  | 'inscription.completed'
  | 'inscription.candidat'
  | 'inscription.triplet_taken'
  | 'email.validation_sent'
  | 'email.validated'
  | 'email.change_requested'
  | 'password.changed'
  | 'password.reset_requested'
  | 'password.reset'
  | 'password.admin_reset'
  | 'secret_question.changed'
  | 'secret_answer.failure'
  | 'secret_answer.locked'
  | 'candidat.granted'
  | 'candidat.refused'
  | 'declarations.changed'
  | 'habilitations.changed'
  | 'habilitations.bulk_import'
  | 'declarant.added'
  | 'declarant.updated'
  | 'declarant.suspended'
  | 'declarant.reactivated'
  | 'declarant.removed'
  | 'declarant.email_change'
  | 'invitation.accepted'
  | 'portefeuille.created'
  | 'portefeuille.updated'
  | 'portefeuille.deleted'
  | 'portefeuille.declarants_changed'
  | 'portefeuille.declarations_changed'
  | 'portefeuille.client_added'
  | 'portefeuille.client_removed'
  | 'portefeuille.client_transferred'
  | 'portefeuille.etablissements_changed'
  // mandates of tiers-déclarants (src/modules/accounts/mandats.ts)
  | 'mandat.requested'
  | 'mandat.accepted'
  | 'mandat.refused'
  | 'mandat.revoked'
  | 'mandat.withdrawn'
  // SOLTéA establishment space (src/modules/espace-etablissement)
  | 'soltea_etablissement.presentation_changed'
  | 'soltea_etablissement.contact_added'
  | 'soltea_etablissement.contact_updated'
  | 'soltea_etablissement.contact_removed'
  | 'soltea_etablissement.site_added'
  | 'soltea_etablissement.site_updated'
  | 'soltea_etablissement.site_removed'
  | 'bank_code.requested'
  | 'bank_code.letters_printed'
  | 'bank_code.failed'
  | 'bank_code.burnt'
  | 'bank_details.changed'
  | 'bank_details.status_set'
  // SOLTéA employer space (src/modules/attributions)
  | 'attributions.changed'
  | 'attributions.partage_changed'
  | 'attributions.imported'
  // envelope files (src/modules/enveloppes)
  | 'enveloppes.imported'
  | 'groupe.created'
  | 'groupe.deleted'
  // campaign calendars (src/modules/campagnes)
  | 'campagne.updated'
  // payments (src/modules/versements)
  | 'encaissements.imported'
  | 'vague.preparee'
  | 'vague.approuvee'
  | 'vague.emise'
  | 'vague.annulee'
  | 'retours_sepa.importes'
  | 'non_versable.redesigne'
  | 'reliquat.calcule'
  | 'metiers_en_tension.importes'
  | 'rappels_coordonnees.envoyes'
  // the operator's agents (src/modules/operateur)
  | 'operateur.agent_cree'
  | 'operateur.lien_envoye'
  | 'operateur.mot_de_passe_choisi'
  | 'operateur.mot_de_passe_verifie'
  | 'operateur.connexion'
  | 'operateur.connexion_echec'
  | 'operateur.connexion_bloquee'
  | 'operateur.code_refuse'
  | 'operateur.code_bloque'
  | 'operateur.totp_enrole'
  | 'operateur.deconnexion'
  /** a consultation of the support search (read-only, audited: who looked at which company) */
  | 'operateur.support_consulte'
  | 'operateur.import_lance';

export interface AuditEntry {
  action: AuditAction;
  actorUserId?: string | null;
  /** the operator's agent who acted (payments, verdicts, imports from the back-office) */
  actorAgentId?: string | null;
  espaceId?: string | null;
  targetUserId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export async function audit(tx: Tx, clock: Clock, e: AuditEntry): Promise<void> {
  auditedActions.inc({ action: e.action });
  await tx.insert(auditEvents).values({
    at: clock.now(),
    action: e.action,
    actorUserId: e.actorUserId ?? null,
    actorAgentId: e.actorAgentId ?? null,
    espaceId: e.espaceId ?? null,
    targetUserId: e.targetUserId ?? null,
    ip: e.ip ?? null,
    details: e.details ?? {},
  });
}

/** An action of a signed-in person in their company's space: the actor, the space and the address filled in. */
export function auditBy(
  tx: Tx,
  clock: Clock,
  actor: { id: string; espaceId: string },
  ip: string | null | undefined,
  action: AuditAction,
  more: Pick<AuditEntry, 'targetUserId' | 'details'> = {},
): Promise<void> {
  return audit(tx, clock, { action, actorUserId: actor.id, espaceId: actor.espaceId, ip, ...more });
}

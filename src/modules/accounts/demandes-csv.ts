/** « Demande en attente » as a spreadsheet file: the requests waiting, then the mandates, as the page lists them. */
import { writeCsv } from '../../shared/csv.js';
import type { listPendingDemandes } from './candidat.js';
import { MANDAT_LABELS, type MandatView } from './mandats.js';

type PendingDemande = Awaited<ReturnType<typeof listPendingDemandes>>[number];

const KINDS: Record<string, string> = {
  candidat_ad: 'Demande d’administration',
  reinitialisation: 'Réinitialisation de mot de passe',
};

export function demandesCsv(demandes: readonly PendingDemande[], mandats: readonly MandatView[]): string {
  return writeCsv(
    ['demande', 'demandeur', 'courriel', 'siret', 'statut', 'date de la demande'],
    [
      ...demandes.map((d) => [KINDS[d.kind] ?? d.kind, `${d.prenom} ${d.nom}`, d.email, d.siret, 'En attente', d.createdAt.toISOString()]),
      ...mandats.map((m) => [
        'Mandat de tiers déclarant',
        m.demandePar ? `${m.tiersNom} (${m.demandePar})` : m.tiersNom,
        '',
        m.tiersSiret,
        MANDAT_LABELS[m.statut],
        m.requestedAt.toISOString(),
      ]),
    ],
  );
}

/**
 * The reasons a bank gives when it rejects or returns a SEPA credit transfer, in French
 * (docs/sepa.md#motifs). Codes of the ISO 20022 external code sets `ExternalStatusReason1Code` (pain.002
 * `StsRsnInf/Rsn/Cd`) and `ExternalReturnReason1Code` (camt.054 `RtrInf/Rsn/Cd`), limited to those
 * the EPC's SEPA credit transfer rulebook lists for rejects and returns, plus a few French banks use.
 * A code we do not know is kept and shown as « Motif bancaire <code> ».
 */

export const MOTIFS_SEPA: Readonly<Record<string, string>> = {
  AC01: 'Numéro de compte incorrect',
  AC02: 'Numéro de compte du donneur d’ordre invalide',
  AC03: 'Numéro de compte du bénéficiaire invalide',
  AC04: 'Compte clos',
  AC06: 'Compte bloqué',
  AC13: 'Type de compte du bénéficiaire invalide',
  AG01: 'Opération interdite sur ce compte',
  AG02: 'Code opération invalide',
  AM01: 'Montant nul',
  AM02: 'Montant non autorisé',
  AM04: 'Provision insuffisante',
  AM05: 'Opération en double',
  AM09: 'Montant erroné',
  BE04: 'Adresse du bénéficiaire absente ou incorrecte',
  BE05: 'Émetteur non reconnu',
  CNOR: 'Banque du bénéficiaire non joignable',
  CUST: 'À la demande du client',
  DNOR: 'Banque du donneur d’ordre non joignable',
  DUPL: 'Virement en double',
  ED05: 'Échec du règlement',
  FF01: 'Format de fichier ou d’opération invalide',
  FOCR: 'Retour à la suite d’une demande d’annulation',
  FRAD: 'Soupçon de fraude',
  MD07: 'Titulaire décédé',
  MS02: 'Refus du bénéficiaire, motif non communiqué',
  MS03: 'Refus de la banque, motif non communiqué',
  NARR: 'Motif précisé en texte libre',
  RC01: 'BIC incorrect',
  RR01: 'Compte ou identification du donneur d’ordre manquant',
  RR02: 'Nom ou adresse du donneur d’ordre manquant',
  RR03: 'Nom ou adresse du bénéficiaire manquant',
  RR04: 'Motif réglementaire',
  TM01: 'Reçu après l’heure limite',
};

/** The French label of a reason code; an unknown code reads « Motif bancaire <code> ». */
export function motifLibelle(code: string): string {
  return MOTIFS_SEPA[code] ?? `Motif bancaire ${code}`;
}

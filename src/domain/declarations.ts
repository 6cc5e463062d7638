/**
 * The catalogue of net-entreprises declarations ("services") and the domains the inscription
 * profile proposes (guide: « Vous souhaitez utiliser les services liés à… »), named as the guide names
 * them. Pure data.
 */
export const DOMAINS = [
  { code: 'dsn', label: 'La DSN pour toutes les procédures qu’elle remplace' },
  { code: 'embauche', label: 'L’embauche pour une entreprise ou un organisme du secteur privé' },
  { code: 'assurance_maladie', label: 'L’assurance Maladie' },
  { code: 'depart_salarie', label: 'Le départ de salarié' },
  { code: 'cotisations', label: 'Les cotisations sociales et contributions pour une entreprise ou un organisme du secteur privé' },
  { code: 'btp', label: 'Les services du BTP' },
  { code: 'revenus_remplacement', label: 'Le versement des revenus de remplacement' },
  { code: 'services_agricoles', label: 'Les services agricoles' },
  { code: 'formation', label: 'Formation' },
] as const;

export type DomainCode = (typeof DOMAINS)[number]['code'];

export interface Declaration {
  code: string;
  /** short name shown in lists and tiles (guide: « SOLTéA - Employeurs ») */
  name: string;
  /** the sentence after the name (guide: « Répartir le solde de la taxe d'apprentissage… ») */
  description: string;
  domain: DomainCode;
  /** whether the « Payer » right applies to it (habilitations grid) */
  payable: boolean;
}

export const DECLARATIONS: readonly Declaration[] = [
  { code: 'DSN', name: 'DSN', description: 'Déclaration sociale nominative', domain: 'dsn', payable: true },
  {
    code: 'DSN_PATCH_RG',
    name: 'DSN PATCH RG',
    description: 'Déclaration sociale nominative Patch en Production pour le Régime Général',
    domain: 'dsn',
    payable: false,
  },
  {
    code: 'DSN_PATCH_RA',
    name: 'DSN PATCH RA',
    description: 'Déclaration sociale nominative Patch en Production pour le Régime Agricole',
    domain: 'services_agricoles',
    payable: false,
  },
  { code: 'DPAE', name: 'DPAE', description: 'Déclaration préalable à l’embauche', domain: 'embauche', payable: false },
  { code: 'TESE', name: 'TESE', description: 'Titre emploi service entreprise', domain: 'embauche', payable: true },
  {
    code: 'ATTEST_SALAIRE',
    name: 'Attest salaire',
    description: 'Attestation de salaire pour le versement des indemnités journalières',
    domain: 'assurance_maladie',
    payable: false,
  },
  {
    code: 'COMPTE_ATMP',
    name: 'Compte AT/MP',
    description: 'Compte accidents du travail et maladies professionnelles',
    domain: 'assurance_maladie',
    payable: false,
  },
  { code: 'DAT', name: 'DAT', description: 'Déclaration d’accident du travail', domain: 'assurance_maladie', payable: false },
  { code: 'QRP', name: 'QRP', description: 'Questionnaire risques professionnels', domain: 'assurance_maladie', payable: false },
  { code: 'AED', name: 'AED', description: 'Attestation employeur dématérialisée', domain: 'depart_salarie', payable: false },
  { code: 'DUCS', name: 'DUCS', description: 'Déclaration unifiée de cotisations sociales', domain: 'cotisations', payable: true },
  { code: 'DPVI', name: 'DPVI', description: 'Déclaration et paiement du versement mobilité', domain: 'cotisations', payable: true },
  { code: 'CIBTP', name: 'CIBTP', description: 'Déclaration des congés payés et intempéries du BTP', domain: 'btp', payable: true },
  { code: 'PASRAU', name: 'PASRAU', description: 'Passage pour les revenus autres', domain: 'revenus_remplacement', payable: true },
  { code: 'TESA', name: 'TESA', description: 'Titre emploi simplifié agricole', domain: 'services_agricoles', payable: true },
  {
    code: 'MCF_ELU',
    name: 'Mon Compte Formation / Elu',
    description: 'Abondements des comptes des salariés et des élus locaux',
    domain: 'formation',
    payable: true,
  },
  {
    code: 'SOLTEA_EMPLOYEURS',
    name: 'SOLTéA - Employeurs',
    description: 'Répartir le solde de la taxe d’apprentissage aux formations et établissements habilités',
    domain: 'formation',
    payable: false,
  },
  {
    code: 'SOLTEA_ETABLISSEMENTS',
    name: 'SOLTéA - Etablissements',
    description: 'Recevoir des fonds issus du solde de la taxe d’apprentissage',
    domain: 'formation',
    payable: false,
  },
];

const byCode = new Map(DECLARATIONS.map((d) => [d.code, d]));

export function findDeclaration(code: string): Declaration | undefined {
  return byCode.get(code);
}

export function declarationsOfDomains(domains: readonly string[]): Declaration[] {
  const set = new Set(domains);
  return DECLARATIONS.filter((d) => set.has(d.domain));
}

export const ORGANISATION_TYPES = [
  // the guide's « Vous êtes... », in its words and order; then the other kinds of employers
  { code: 'entreprise_privee', label: 'Une entreprise ou un organisme du secteur privé' },
  { code: 'geree_par_tiers', label: 'Une entreprise gérée par un tiers déclarant (expert-comptable, CGA...)' },
  { code: 'independant', label: 'Un travailleur indépendant' },
  { code: 'association', label: 'Une association' },
  { code: 'collectivite', label: 'Une collectivité territoriale' },
  { code: 'fonction_publique', label: 'Un employeur de la fonction publique' },
  { code: 'etablissement_enseignement', label: 'Un établissement d’enseignement ou de formation' },
  { code: 'expert_comptable', label: 'Un cabinet d’expertise comptable' },
  { code: 'prestataire_paie', label: 'Un prestataire de paie ou un centre de gestion' },
] as const;

/**
 * Access delay (guide: « Une fois les délais d'accès à la déclaration échus (soit 24h) »):
 * a declaration added at `addedAt` opens at `addedAt + delayHours`.
 */
export function accessibleAt(addedAt: Date, delayHours: number): Date {
  return new Date(addedAt.getTime() + Math.round(delayHours * 3_600_000));
}

/** Whole hours left before access, rounded up, for « Accessible sous N heure(s) »; 0 when open. */
export function hoursUntilAccessible(accessible: Date, now: Date): number {
  const ms = accessible.getTime() - now.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / 3_600_000);
}

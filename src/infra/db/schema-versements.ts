/**
 * Database schema of the money's way to the establishments (docs/regles.md#versements, ADR 0007): the
 * operator's agents, the funds the collectors transferred, the payment waves and their transfers, the
 * allocation lines each transfer pays, the shares that could not be paid, the métiers en tension and
 * the reliquat. Money is bigint cents. Read with schema.ts (drizzle-kit reads both files).
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cents, ts } from './columns.js';
import { attributions, coordonneesBancaires } from './schema.js';

// ── the operator (Caisse des Dépôts) ────────────────────────────────────────────────────────────
/** A person of the operator, apart from the companies' espaces: `gestionnaire` prepares, `valideur` approves. */
export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  courriel: text('courriel').notNull().unique(),
  nom: text('nom').notNull(),
  prenom: text('prenom').notNull(),
  /** 'gestionnaire' | 'valideur' */
  role: text('role').notNull(),
  /** 'invite' (password not chosen yet) | 'actif' | 'suspendu' */
  statut: text('statut').notNull(),
  passwordHash: text('password_hash'),
  /** the TOTP secret (RFC 6238), encrypted; null until the agent enrols */
  totpSecret: text('totp_secret'),
  totpConfirmedAt: ts('totp_confirmed_at'),
  /** the last TOTP time step accepted: a code is never accepted twice */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  createdAt: ts('created_at').notNull(),
  lastLoginAt: ts('last_login_at'),
});

// ── funds received ───────────────────────────────────────────────────────────────────────────────
/** What Urssaf or the MSA actually transferred for one employer SIRET (import-encaissements). */
export const encaissements = pgTable(
  'encaissements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
    /** 'URSSAF' | 'MSA' */
    collecteur: text('collecteur').notNull(),
    montantCents: cents('montant_cents').notNull(),
    /** the day of the collector's transfer, AAAA-MM-JJ */
    recuLe: text('recu_le').notNull(),
    /** the file and line it came from: importing the same file again adds nothing */
    fichier: text('fichier').notNull(),
    reference: text('reference').notNull(),
    importeLe: ts('importe_le').notNull(),
  },
  (t) => [uniqueIndex('encaissements_reference_uq').on(t.annee, t.reference), index('encaissements_siret_idx').on(t.annee, t.siret)],
);

// ── payment waves ────────────────────────────────────────────────────────────────────────────────
/**
 * One payment wave of a campaign (a wave of the calendar, or the reliquat's): prepared by a gestionnaire,
 * approved by a different valideur, then its SEPA file issued. `statut`: 'preparee' | 'approuvee' |
 * 'emise' | 'annulee'.
 */
export const vaguesVersement = pgTable(
  'vagues_versement',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    /** the wave of the calendar (1, 2…), or 0 for the reliquat */
    numero: integer('numero').notNull(),
    /** 'allocations' | 'reliquat' */
    nature: text('nature').notNull(),
    /** requested execution day of the transfers, AAAA-MM-JJ */
    dateExecution: text('date_execution').notNull(),
    statut: text('statut').notNull(),
    prepareeLe: ts('preparee_le').notNull(),
    prepareePar: uuid('preparee_par').references(() => agents.id),
    approuveeLe: ts('approuvee_le'),
    approuveePar: uuid('approuvee_par').references(() => agents.id),
    emiseLe: ts('emise_le'),
    emisePar: uuid('emise_par').references(() => agents.id),
    annuleeLe: ts('annulee_le'),
    nbVirements: integer('nb_virements').notNull(),
    totalCents: cents('total_cents').notNull(),
    /** the SEPA file: message id, name and SHA-256 recorded at issue (it can be downloaded again identical) */
    msgId: text('msg_id').notNull(),
    fichierNom: text('fichier_nom'),
    fichierSha256: text('fichier_sha256'),
  },
  (t) => [
    uniqueIndex('vagues_versement_active_uq')
      .on(t.annee, t.numero)
      .where(sql`${t.statut} <> 'annulee'`),
  ],
);

/**
 * One SEPA transfer of a wave to one beneficiary, with the verified bank details it was approved with.
 * `statut`: 'prevu' | 'emis' | 'confirme' (the bank accepted it) | 'rejete' (the bank rejected or returned it: retours.ts).
 */
export const virements = pgTable(
  'virements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    vagueId: bigint('vague_id', { mode: 'number' })
      .notNull()
      .references(() => vaguesVersement.id),
    annee: integer('annee').notNull(),
    beneficiaireSiret: text('beneficiaire_siret').notNull(),
    beneficiaireNom: text('beneficiaire_nom').notNull(),
    montantCents: cents('montant_cents').notNull(),
    /** the « n° virement » of the label, unique in the campaign */
    numero: integer('numero').notNull(),
    libelle: text('libelle').notNull(),
    /** the SEPA EndToEndId: what the bank's returns name */
    endToEndId: text('end_to_end_id').notNull().unique(),
    coordonneesId: bigint('coordonnees_id', { mode: 'number' })
      .notNull()
      .references(() => coordonneesBancaires.id),
    iban: text('iban').notNull(),
    bic: text('bic').notNull(),
    titulaire: text('titulaire').notNull(),
    statut: text('statut').notNull(),
    motifCode: text('motif_code'),
    motifLibelle: text('motif_libelle'),
    rejeteLe: ts('rejete_le'),
  },
  (t) => [
    uniqueIndex('virements_vague_beneficiaire_uq').on(t.vagueId, t.beneficiaireSiret),
    uniqueIndex('virements_numero_uq').on(t.annee, t.numero),
  ],
);

/** What a transfer pays of one allocation line: one row per line and wave (never paid twice). */
export const lignesVersees = pgTable(
  'lignes_versees',
  {
    attributionId: bigint('attribution_id', { mode: 'number' })
      .notNull()
      .references(() => attributions.id),
    vagueId: bigint('vague_id', { mode: 'number' })
      .notNull()
      .references(() => vaguesVersement.id),
    virementId: bigint('virement_id', { mode: 'number' })
      .notNull()
      .references(() => virements.id),
    annee: integer('annee').notNull(),
    siretEmployeur: text('siret_employeur').notNull(),
    montantCents: cents('montant_cents').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.attributionId, t.vagueId] }),
    index('lignes_versees_virement_idx').on(t.virementId),
    // A wave's lines: its preview count, its cancellation, and the statistics trigger's employers.
    index('lignes_versees_vague_idx').on(t.vagueId, t.siretEmployeur),
  ],
);

/**
 * A share that could not be paid (D. 6241-27-1): no verified bank details, a closed establishment, a
 * transfer the bank returned. The employer may designate another establishment until the deadline;
 * otherwise it joins the reliquat. `statut`: 'en_attente' | 'redesignee' | 'reliquat', or, once a later
 * issued wave names the same line, 'versee' (it paid it) | 'remplacee' (unpayable again: the later row counts).
 */
export const nonVersables = pgTable(
  'non_versables',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    vagueId: bigint('vague_id', { mode: 'number' })
      .notNull()
      .references(() => vaguesVersement.id),
    attributionId: bigint('attribution_id', { mode: 'number' })
      .notNull()
      .references(() => attributions.id),
    siretEmployeur: text('siret_employeur').notNull(),
    beneficiaireSiret: text('beneficiaire_siret').notNull(),
    montantCents: cents('montant_cents').notNull(),
    /** 'sans_coordonnees' | 'coordonnees_non_verifiees' | 'etablissement_ferme' | 'rejet_bancaire' */
    motif: text('motif').notNull(),
    motifDetail: text('motif_detail'),
    statut: text('statut').notNull(),
    creeLe: ts('cree_le').notNull(),
    decideLe: ts('decide_le'),
    decidePar: uuid('decide_par'),
    employeurPrevenu: boolean('employeur_prevenu').notNull().default(false),
  },
  (t) => [
    uniqueIndex('non_versables_ligne_vague_uq').on(t.attributionId, t.vagueId),
    index('non_versables_employeur_idx').on(t.annee, t.siretEmployeur),
  ],
);

/**
 * A reminder sent to an establishment without verified bank details before a period closes (D. 6241-27-1,
 * docs/messages.md, docs/regles.md#fonds-non-versables): `jours` is the reminder's échéance (7: « J-7 »,
 * 1: « J-1 »); the key makes it once per establishment, period and échéance, whether the scheduler, the
 * command or the operator's bulk reminder sends it.
 */
export const rappelsCoordonnees = pgTable(
  'rappels_coordonnees',
  {
    annee: integer('annee').notNull(),
    periode: integer('periode').notNull(),
    /** the reminders sent before this column (10 days before the end) count as the first échéance */
    jours: integer('jours').notNull().default(7),
    siret: text('siret').notNull(),
    envoyeLe: ts('envoye_le').notNull(),
    destinataires: integer('destinataires').notNull(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.periode, t.jours, t.siret] })],
);

// ── reliquat (R. 6241-28) ───────────────────────────────────────────────────────────────────────
/** The 10 métiers en tension of each region (arrêté's annex): a formation leads to one by its RNCP code. */
export const metiersEnTension = pgTable(
  'metiers_en_tension',
  {
    annee: integer('annee').notNull(),
    /** region code (COG), e.g. '84' */
    region: text('region').notNull(),
    metier: text('metier').notNull(),
    rncp: text('rncp').notNull(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.region, t.rncp, t.metier] })],
);

/**
 * An establishment's share of the reliquat: its regional part and its national part (formations). `motif`
 * null: paid by the reliquat's wave; otherwise why it cannot be paid (it stays in the fund, R. 6241-28-1).
 */
export const reliquatParts = pgTable(
  'reliquat_parts',
  {
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
    region: text('region'),
    regionaleCents: cents('regionale_cents').notNull(),
    nationaleCents: cents('nationale_cents').notNull(),
    formations: integer('formations').notNull(),
    /** null | 'sans_coordonnees' | 'coordonnees_non_verifiees' | 'etablissement_ferme' */
    motif: text('motif'),
    calculeLe: ts('calcule_le').notNull(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.siret] })],
);

/**
 * The reliquat of a campaign as computed at its date (src/modules/versements/reliquat.ts): the pool and its
 * parts, what the wave pays and what stays in the fund for next year (`reporte_cents`, by reason and by
 * region in `details`). One row per campaign; replaced only when its wave was cancelled.
 */
export const reliquats = pgTable('reliquats', {
  annee: integer('annee').primaryKey(),
  calculeLe: ts('calcule_le').notNull(),
  calculePar: uuid('calcule_par').references(() => agents.id),
  vagueId: bigint('vague_id', { mode: 'number' })
    .notNull()
    .references(() => vaguesVersement.id),
  regionaleBp: integer('regionale_bp').notNull(),
  poolCents: cents('pool_cents').notNull(),
  nonAttribueCents: cents('non_attribue_cents').notNull(),
  nonVersableCents: cents('non_versable_cents').notNull(),
  regionaleCents: cents('regionale_cents').notNull(),
  nationaleCents: cents('nationale_cents').notNull(),
  verseCents: cents('verse_cents').notNull(),
  reporteCents: cents('reporte_cents').notNull(),
  /** { regions: [...], reports: [...] } with amounts as strings of cents */
  details: jsonb('details').notNull(),
});

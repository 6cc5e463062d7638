/**
 * Database schema of the campaign's statistics (src/modules/statistiques, docs/regles.md#statistiques): the
 * summaries the statistics read instead of aggregating 6,000,000 allocation lines on every page, refreshed
 * incrementally. Triggers (migration `statistiques_triggers`) queue every employer SIRET whose allocation
 * lines, envelope, lines paid, unpayable shares, transfers or waves change; a refresh recomputes only those
 * employers' lines and adds the difference to the totals. Money is bigint cents. Read with schema.ts
 * (drizzle-kit reads every schema*.ts).
 */
import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { cents } from './columns.js';

/** What allocation lines amount to, one line's or a group's sum: allocated, validated, paid, unpayable. */
const lineAmounts = () => ({
  alloueCents: cents('alloue_cents').notNull(),
  valideCents: cents('valide_cents').notNull(),
  verseCents: cents('verse_cents').notNull(),
  nonVersableCents: cents('non_versable_cents').notNull(),
});

/** An employer's money, one SIRET's or the campaign's sum: its crédits, the fees, the funds received. */
const employerFunds = () => ({
  creditsCents: cents('credits_cents').notNull(),
  fraisCents: cents('frais_cents').notNull(),
  recuCents: cents('recu_cents').notNull(),
});

/** The employer SIRETs of a campaign whose summary is out of date (filled by triggers, emptied by a refresh). */
export const statistiquesARecalculer = pgTable(
  'statistiques_a_recalculer',
  {
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.siret] })],
);

/**
 * Each allocation line as last summarised: its expected amount (largest remainder), validated or not,
 * paid, unpayable, where it goes (establishment, niveau) and its days. Replaced employer by employer.
 */
export const statistiquesLignes = pgTable(
  'statistiques_lignes',
  {
    attributionId: bigint('attribution_id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
    etablissementId: bigint('etablissement_id', { mode: 'number' }).notNull(),
    /** '3'…'8', 'etablissement' (no formation), '' (niveau unknown) */
    niveau: text('niveau').notNull(),
    /** Paris days, AAAA-MM-JJ: of its validation (null when not validated), of its last save */
    jourValidation: text('jour_validation'),
    jourEnregistrement: text('jour_enregistrement').notNull(),
    ...lineAmounts(),
  },
  (t) => [index('statistiques_lignes_siret_idx').on(t.annee, t.siret)],
);

/** The lines' totals per establishment (or composante): what the breakdowns group by region, département, category and list. */
export const statistiquesEtablissements = pgTable(
  'statistiques_etablissements',
  {
    annee: integer('annee').notNull(),
    etablissementId: bigint('etablissement_id', { mode: 'number' }).notNull(),
    lignes: integer('lignes').notNull(),
    ...lineAmounts(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.etablissementId] })],
);

/** The lines' totals per niveau ('3'…'8', 'etablissement', '' unknown). */
export const statistiquesNiveaux = pgTable(
  'statistiques_niveaux',
  {
    annee: integer('annee').notNull(),
    niveau: text('niveau').notNull(),
    lignes: integer('lignes').notNull(),
    ...lineAmounts(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.niveau] })],
);

/** The lines' amounts per Paris day: validated that day, and last saved that day. */
export const statistiquesJours = pgTable(
  'statistiques_jours',
  {
    annee: integer('annee').notNull(),
    jour: text('jour').notNull(),
    enregistreCents: cents('enregistre_cents').notNull(),
    valideCents: cents('valide_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.jour] })],
);

/** Each employer SIRET's envelope and funds received as last summarised (replaced with its lines). */
export const statistiquesEmployeurs = pgTable(
  'statistiques_employeurs',
  {
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
    /** 1 when the SIRET has an envelope for the campaign, 0 when it only has funds received */
    enveloppes: integer('enveloppes').notNull(),
    ...employerFunds(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.siret] })],
);

/** The employers' totals of a campaign: Σ of `statistiques_employeurs`, moved by the same differences. */
export const statistiquesTotaux = pgTable('statistiques_totaux', {
  annee: integer('annee').primaryKey(),
  employeurs: integer('employeurs').notNull(),
  ...employerFunds(),
});

/**
 * Database schema of the operator's space (src/modules/operateur, docs/regles.md#operateur): the agents'
 * sessions, apart from the companies' users', and the single-use links that let an agent choose a
 * password, and the imports an agent started from the browser. The agents themselves are in schema-versements.ts. Read with schema.ts (drizzle-kit reads
 * every schema*.ts).
 */
import { bigint, bigserial, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sessionColumns, singleUseTokenColumns, ts } from './columns.js';
import { agents } from './schema-versements.js';

/**
 * An agent's session (cookie `__Host-op`), stored hashed like the users' sessions. `etape` says how far
 * the login went: 'mot_de_passe' (password right, the second factor — or its enrolment — still to come;
 * opens no page but the code's) or 'complete'. The id changes when the second factor is passed.
 */
export const agentSessions = pgTable(
  'agent_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id),
    etape: text('etape').notNull(),
    ...sessionColumns(),
  },
  (t) => [index('agent_sessions_agent_idx').on(t.agentId)],
);

/** Single-use links sent to an agent (choose a password), stored hashed, expiring. */
export const agentJetons = pgTable(
  'agent_jetons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id),
    /** 'mot_de_passe' */
    kind: text('kind').notNull(),
    ...singleUseTokenColumns(),
  },
  (t) => [uniqueIndex('agent_jetons_hash_uq').on(t.tokenHash), index('agent_jetons_agent_idx').on(t.agentId)],
);

/**
 * An import started from the browser (« Imports » of the operator's space, src/modules/operateur/imports.ts):
 * who, when, which kind and file (name, SHA-256, size), and how it went. `etat`: 'en_cours' (its progress
 * in `phase`/`fait`/`total`, written as it runs; `battement` proves the process running it is alive),
 * 'reussi', 'refuse' (lines rejected: nothing changed) or 'echoue' (an error, or the process died: marked
 * at the next start). `rapport` holds the French line-by-line report of the command line.
 */
export const importsOperateur = pgTable(
  'imports_operateur',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** 'registre' | 'referentiel' | 'enveloppes' | 'encaissements' | 'metiers' */
    type: text('type').notNull(),
    annee: integer('annee'),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id),
    fichier: text('fichier').notNull(),
    sha256: text('sha256').notNull(),
    taille: bigint('taille', { mode: 'number' }).notNull(),
    etat: text('etat').notNull(),
    phase: text('phase'),
    fait: bigint('fait', { mode: 'number' }).notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull().default(0),
    /** lines read, rejected, written: { lignes, rejets, avertissements, ajoutes, modifies, inchanges } */
    comptes: jsonb('comptes').$type<Record<string, number>>(),
    rapport: jsonb('rapport').$type<string[]>(),
    /** the process running it (a random id per process) and its last sign of life */
    instance: text('instance').notNull(),
    battement: ts('battement').notNull(),
    createdAt: ts('created_at').notNull(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('imports_operateur_etat_idx').on(t.etat), index('imports_operateur_created_idx').on(t.createdAt)],
);

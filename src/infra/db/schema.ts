/**
 * Database schema (drizzle). One file so migrations stay easy to read; tables are grouped by the
 * module that owns them. Money is bigint cents, percentages integer basis points (later modules).
 * Migrations are generated with `npm run db:generate` and applied at start.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

// ── companies: the company registry (what SIRENE provides) ─────────────────────────────────────
export const entreprises = pgTable('entreprises', {
  siren: text('siren').primaryKey(),
  raisonSociale: text('raison_sociale').notNull(),
  sigle: text('sigle'),
  categorieJuridique: text('categorie_juridique'),
  /** 'A' active, 'C' ceased (cessée) */
  etatAdministratif: text('etat_administratif').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const etablissements = pgTable(
  'etablissements',
  {
    siret: text('siret').primaryKey(),
    siren: text('siren')
      .notNull()
      .references(() => entreprises.siren),
    denomination: text('denomination').notNull(),
    estSiege: boolean('est_siege').notNull().default(false),
    adresse: text('adresse').notNull().default(''),
    codePostal: text('code_postal'),
    codeCommune: text('code_commune'),
    libelleCommune: text('libelle_commune'),
    /** 'A' active, 'F' closed (fermé) */
    etatAdministratif: text('etat_administratif').notNull(),
    /** true when the SIRET fails its check digit in the source registry (imported with a warning) */
    checksumWarning: boolean('checksum_warning').notNull().default(false),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('etablissements_siren_idx').on(t.siren)],
);

// ── accounts: net-entreprises inscriptions, users, sessions, tokens ─────────────────────────────
/** A company's (or tiers-déclarant's) space on the portal, created by the first inscription. */
export const espaces = pgTable(
  'espaces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siren: text('siren')
      .notNull()
      .references(() => entreprises.siren),
    /** SIRET the inscription was made with */
    siret: text('siret')
      .notNull()
      .references(() => etablissements.siret),
    /** 'entreprise' | 'tiers_declarant' */
    kind: text('kind').notNull(),
    organisationType: text('organisation_type').notNull(),
    domains: jsonb('domains').$type<string[]>().notNull().default([]),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('espaces_siren_uq').on(t.siren)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    espaceId: uuid('espace_id')
      .notNull()
      .references(() => espaces.id),
    /** SIRET used to log in (the espace's SIRET for its people) */
    siret: text('siret').notNull(),
    nom: text('nom').notNull(),
    prenom: text('prenom').notNull(),
    /** upper-cased, accent-stripped nom|prenom used for the login triplet lookup */
    loginKey: text('login_key').notNull(),
    email: text('email').notNull(),
    telephone: text('telephone').notNull().default(''),
    portable: text('portable'),
    /** 'administrateur' | 'declarant' */
    role: text('role').notNull(),
    /** 'email_pending' | 'active' | 'candidat' | 'refused' | 'suspended' | 'removed' */
    status: text('status').notNull(),
    passwordHash: text('password_hash'),
    secretQuestion: text('secret_question'),
    secretAnswerHash: text('secret_answer_hash'),
    /** set by an administrator-initiated reset: new password and secret question before anything else */
    mustChangeCredentials: boolean('must_change_credentials').notNull().default(false),
    emailValidatedAt: ts('email_validated_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_login_uq')
      .on(t.siret, t.loginKey)
      .where(sql`status <> 'removed' and status <> 'refused'`),
    index('users_espace_idx').on(t.espaceId),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha-256 of the cookie value: a database leak does not give usable session ids */
    idHash: text('id_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    absoluteExpiresAt: ts('absolute_expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Single-use secrets sent by mail (e-mail validation, reset link, admin reset, déclarant invitation). */
export const tokens = pgTable(
  'tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('tokens_hash_uq').on(t.tokenHash), index('tokens_user_idx').on(t.userId)],
);

/** An inscription in progress: the server keeps the step, so no step can be skipped or replayed. */
export const inscriptionDrafts = pgTable('inscription_drafts', {
  idHash: text('id_hash').primaryKey(),
  step: text('step').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  createdAt: ts('created_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
});

/** Failure counters (login lockout, secret answers, rate limits): shared by every instance. */
export const throttles = pgTable('throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: ts('window_started_at').notNull(),
  lastFailureAt: ts('last_failure_at'),
  lockedUntil: ts('locked_until'),
});

// ── access: declarations and habilitations ──────────────────────────────────────────────────────
export const etablissementDeclarations = pgTable(
  'etablissement_declarations',
  {
    espaceId: uuid('espace_id')
      .notNull()
      .references(() => espaces.id),
    siret: text('siret')
      .notNull()
      .references(() => etablissements.siret),
    declarationCode: text('declaration_code').notNull(),
    addedAt: ts('added_at').notNull(),
    accessibleAt: ts('accessible_at').notNull(),
    addedBy: uuid('added_by'),
  },
  (t) => [primaryKey({ columns: [t.espaceId, t.siret, t.declarationCode] })],
);

export const habilitations = pgTable(
  'habilitations',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    siret: text('siret').notNull(),
    declarationCode: text('declaration_code').notNull(),
    declarer: boolean('declarer').notNull().default(false),
    payer: boolean('payer').notNull().default(false),
    grantedAt: ts('granted_at').notNull(),
    grantedBy: uuid('granted_by'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.siret, t.declarationCode] })],
);

/** Every grant and removal of a right, for administrators to read (who, what, when). */
export const habilitationHistory = pgTable(
  'habilitation_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    espaceId: uuid('espace_id').notNull(),
    actorUserId: uuid('actor_user_id'),
    userId: uuid('user_id').notNull(),
    siret: text('siret').notNull(),
    declarationCode: text('declaration_code').notNull(),
    declarer: boolean('declarer').notNull(),
    payer: boolean('payer').notNull(),
  },
  (t) => [index('habilitation_history_espace_idx').on(t.espaceId, t.at)],
);

// ── notifications, mail, audit ──────────────────────────────────────────────────────────────────
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    at: ts('at').notNull(),
    text: text('text').notNull(),
    readAt: ts('read_at'),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.at)],
);

/** Every mail is written here first (same transaction as the change), then delivered. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('mail_outbox_pending_idx').on(t.sentAt, t.id)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    action: text('action').notNull(),
    actorUserId: uuid('actor_user_id'),
    espaceId: uuid('espace_id'),
    targetUserId: uuid('target_user_id'),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_espace_idx').on(t.espaceId, t.at), index('audit_events_action_idx').on(t.action, t.at)],
);

/** « Demande en attente »: what a company's administrators must decide (candidat AD, reset asked). */
export const demandes = pgTable(
  'demandes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    espaceId: uuid('espace_id')
      .notNull()
      .references(() => espaces.id),
    /** 'candidat_ad' | 'reinitialisation' */
    kind: text('kind').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: ts('created_at').notNull(),
    decidedAt: ts('decided_at'),
    decidedBy: uuid('decided_by'),
    /** 'accordee' | 'refusee' */
    decision: text('decision'),
  },
  (t) => [index('demandes_espace_idx').on(t.espaceId, t.decidedAt)],
);

// ── access: portefeuilles of tiers-déclarants (PRODUCT.md §3.5) ─────────────────────────────────
export const portefeuilles = pgTable(
  'portefeuilles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** the tiers-déclarant's espace */
    espaceId: uuid('espace_id')
      .notNull()
      .references(() => espaces.id),
    name: text('name').notNull(),
    comment: text('comment').notNull().default(''),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('portefeuilles_espace_idx').on(t.espaceId), uniqueIndex('portefeuilles_default_uq').on(t.espaceId).where(sql`is_default`)],
);

/** Déclarants of the tiers-déclarant who work on a portefeuille. */
export const portefeuilleDeclarants = pgTable(
  'portefeuille_declarants',
  {
    portefeuilleId: uuid('portefeuille_id')
      .notNull()
      .references(() => portefeuilles.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.portefeuilleId, t.userId] }), index('portefeuille_declarants_user_idx').on(t.userId)],
);

/** Declarations the portefeuille's déclarants may file for its clients. */
export const portefeuilleDeclarations = pgTable(
  'portefeuille_declarations',
  {
    portefeuilleId: uuid('portefeuille_id')
      .notNull()
      .references(() => portefeuilles.id),
    declarationCode: text('declaration_code').notNull(),
    addedAt: ts('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.portefeuilleId, t.declarationCode] })],
);

/** Client companies of a portefeuille (a client is in one portefeuille of a tiers at a time). */
export const portefeuilleClients = pgTable(
  'portefeuille_clients',
  {
    portefeuilleId: uuid('portefeuille_id')
      .notNull()
      .references(() => portefeuilles.id),
    /** denormalised for the « one portefeuille per client and tiers » rule */
    espaceId: uuid('espace_id')
      .notNull()
      .references(() => espaces.id),
    siren: text('siren')
      .notNull()
      .references(() => entreprises.siren),
    addedAt: ts('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.portefeuilleId, t.siren] }), uniqueIndex('portefeuille_clients_tiers_uq').on(t.espaceId, t.siren), index('portefeuille_clients_siren_idx').on(t.siren)],
);

/** The établissements of a client company the tiers-déclarant works for (« Choisir les établissements »). */
export const portefeuilleEtablissements = pgTable(
  'portefeuille_etablissements',
  {
    portefeuilleId: uuid('portefeuille_id')
      .notNull()
      .references(() => portefeuilles.id),
    siret: text('siret')
      .notNull()
      .references(() => etablissements.siret),
    siren: text('siren').notNull(),
  },
  (t) => [primaryKey({ columns: [t.portefeuilleId, t.siret] }), index('portefeuille_etablissements_siren_idx').on(t.portefeuilleId, t.siren)],
);

/** Bulk habilitation requests (CSV import): one per portefeuille (or company) per 48 hours. */
export const bulkRequests = pgTable(
  'bulk_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    espaceId: uuid('espace_id').notNull(),
    /** null for a company's own habilitations */
    portefeuilleId: uuid('portefeuille_id'),
    actorUserId: uuid('actor_user_id').notNull(),
    at: ts('at').notNull(),
    lines: integer('lines').notNull(),
    changes: integer('changes').notNull(),
  },
  (t) => [index('bulk_requests_scope_idx').on(t.espaceId, t.portefeuilleId, t.at)],
);

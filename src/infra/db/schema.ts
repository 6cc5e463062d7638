// long: the database schema, one table after another: drizzle-kit reads it whole to generate the migrations
/**
 * Database schema (drizzle). One file so migrations stay easy to read; tables are grouped by the
 * module that owns them. Money is bigint cents, percentages integer basis points (later modules).
 * Migrations are generated with `npm run db:generate` and applied at start.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sessionColumns, singleUseTokenColumns, ts } from './columns.js';

// ── companies: the company registry (what SIRENE provides) ─────────────────────────────────────
export const entreprises = pgTable('entreprises', {
  siren: text('siren').primaryKey(),
  raisonSociale: text('raison_sociale').notNull(),
  sigle: text('sigle'),
  categorieJuridique: text('categorie_juridique'),
  /** 'A' active, 'C' ceased (cessée) */
  etatAdministratif: text('etat_administratif').notNull(),
  /**
   * the registry's count of open établissements (recherche-entreprises `nombre_etablissements_ouverts`),
   * which a file may list only in part; null when the source does not say
   */
  nombreEtablissementsOuverts: integer('nombre_etablissements_ouverts'),
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
    ...sessionColumns(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Single-use secrets sent by mail (e-mail validation, reset link, admin reset, déclarant invitation). */
export const tokens = pgTable(
  'tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    ...singleUseTokenColumns(),
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
    /** one line per event and person (the campaign's messages, src/modules/messages): a second insert with the same key is ignored */
    cle: text('cle').unique(),
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
    /** the next try: now at first, later after each failure (exponential back-off) */
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    /** set when the deliverer gave up (too many failures); the operator sees these */
    gaveUpAt: ts('gave_up_at'),
    /** one message per event and person: a second insert with the same key is ignored */
    dedupeKey: text('dedupe_key').unique(),
    /** files sent with the mail (the récapitulatif's PDF), base64 */
    attachments: jsonb('attachments').$type<{ filename: string; contentType: string; base64: string }[]>(),
  },
  (t) => [
    index('mail_outbox_due_idx')
      .on(t.nextAttemptAt, t.id)
      .where(sql`sent_at is null and gave_up_at is null`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    action: text('action').notNull(),
    actorUserId: uuid('actor_user_id'),
    /** an agent of the operator (src/modules/operateur), when the operator acted */
    actorAgentId: uuid('actor_agent_id'),
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

// ── access: portefeuilles of tiers-déclarants (« Gérer vos portefeuilles ») ─────────────────────────────────
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
  (t) => [
    index('portefeuilles_espace_idx').on(t.espaceId),
    uniqueIndex('portefeuilles_default_uq')
      .on(t.espaceId)
      .where(sql`is_default`),
  ],
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
  (t) => [
    primaryKey({ columns: [t.portefeuilleId, t.siren] }),
    uniqueIndex('portefeuille_clients_tiers_uq').on(t.espaceId, t.siren),
    index('portefeuille_clients_siren_idx').on(t.siren),
  ],
);

/**
 * A tiers-déclarant's mandate on a client company (docs/regles.md#tiers-declarants): asked when the tiers
 * adds the company to one of its portefeuilles, accepted or refused by the company's administrators
 * (« Demande en attente »), revocable by them later, ended by the tiers when it removes the company.
 * Only an accepted mandate opens the client's establishment space to the tiers. Keyed by SIREN: a
 * company without an espace yet finds the pending request when it registers.
 */
export const mandats = pgTable(
  'mandats',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** the tiers-déclarant's espace */
    tiersEspaceId: uuid('tiers_espace_id')
      .notNull()
      .references(() => espaces.id),
    /** the client company */
    siren: text('siren')
      .notNull()
      .references(() => entreprises.siren),
    /** 'en_attente' | 'accepte' | 'refuse' | 'revoque' (by the company) | 'retire' (by the tiers) */
    statut: text('statut').notNull(),
    requestedAt: ts('requested_at').notNull(),
    requestedBy: uuid('requested_by'),
    decidedAt: ts('decided_at'),
    decidedBy: uuid('decided_by'),
    endedAt: ts('ended_at'),
    endedBy: uuid('ended_by'),
  },
  (t) => [
    uniqueIndex('mandats_en_cours_uq')
      .on(t.tiersEspaceId, t.siren)
      .where(sql`statut in ('en_attente', 'accepte')`),
    index('mandats_siren_idx').on(t.siren, t.statut),
  ],
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
  (t) => [
    primaryKey({ columns: [t.portefeuilleId, t.siret] }),
    index('portefeuille_etablissements_siren_idx').on(t.portefeuilleId, t.siren),
  ],
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

// ── geo: French communes (code officiel géographique) with their centre, for « autour de » searches ──
export const communes = pgTable(
  'communes',
  {
    /** INSEE code (COG), e.g. '75056', arrondissements '75101'… */
    code: text('code').primaryKey(),
    nom: text('nom').notNull(),
    /** nom lowercased, accents and punctuation removed (domain/text.ts `searchKey`) */
    nomRecherche: text('nom_recherche').notNull(),
    /** postal codes joined with '|' */
    codesPostaux: text('codes_postaux').notNull().default(''),
    departement: text('departement').notNull(),
    region: text('region').notNull(),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    population: integer('population'),
  },
  (t) => [
    index('communes_nom_trgm').using('gin', sql`${t.nomRecherche} gin_trgm_ops`),
    // exact look-ups of a name and of its one-edit variants (modules/recherche/communes.ts)
    index('communes_nom_idx').on(t.nomRecherche),
    index('communes_dep_idx').on(t.departement),
  ],
);

// ── referentiel (SOLTéA §4.1): habilitated establishments per campaign year ────────────────────
/**
 * One row per habilitated establishment, or per composante / établissement secondaire (parentId set),
 * for one campaign year (`annee`). `cle` is the natural key inside a year: the SIRET for an
 * establishment, `SIRET/UAI` (or `SIRET/n`) for a composante, so a re-import updates in place.
 */
export const refEtablissements = pgTable(
  'ref_etablissements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    cle: text('cle').notNull(),
    siret: text('siret').notNull(),
    parentId: bigint('parent_id', { mode: 'number' }),
    nom: text('nom').notNull(),
    nomRecherche: text('nom_recherche').notNull(),
    adresse: text('adresse').notNull().default(''),
    codePostal: text('code_postal'),
    codeCommune: text('code_commune'),
    commune: text('commune'),
    departement: text('departement'),
    region: text('region'),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    /** category of article L. 6241-5 of the code du travail: '1°' … '13°' */
    categorie: text('categorie').notNull(),
    /** 'regionale' | 'nationale' */
    liste: text('liste').notNull(),
    /** true when the SIRET or a UAI failed its check in the source file (imported with a warning) */
    checksumWarning: boolean('checksum_warning').notNull().default(false),
    /**
     * Search summary of the row's own formations of its year (ADR 0008): the distinct niveaux and the
     * distinct diploma types (upper case). Kept by the triggers of migration 0013 on every write of
     * ref_formations and ref_diplomes, never written by the application.
     */
    niveaux: integer('niveaux')
      .array()
      .notNull()
      .default(sql`'{}'`),
    types: text('types')
      .array()
      .notNull()
      .default(sql`'{}'`),
    /**
     * The same summary over the row and its composantes (ADR 0009): for a root establishment, the
     * niveaux and types of its whole tree; for a composante, its own. Kept by the triggers of migration
     * 0024 on every write of ref_etablissements (its summary or its parent), never written by the
     * application.
     */
    niveauxArbre: integer('niveaux_arbre')
      .array()
      .notNull()
      .default(sql`'{}'`),
    typesArbre: text('types_arbre')
      .array()
      .notNull()
      .default(sql`'{}'`),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('ref_etab_annee_cle_uq').on(t.annee, t.cle),
    // the target of the formations' (etablissement_id, annee) foreign key
    uniqueIndex('ref_etab_id_annee_uq').on(t.id, t.annee),
    index('ref_etab_annee_siret_idx').on(t.annee, t.siret),
    index('ref_etab_parent_idx').on(t.parentId),
    index('ref_etab_annee_dep_idx').on(t.annee, t.departement),
    index('ref_etab_annee_cp_idx').on(t.annee, t.codePostal),
    index('ref_etab_annee_commune_idx').on(t.annee, t.codeCommune),
    index('ref_etab_annee_region_idx').on(t.annee, t.region),
    index('ref_etab_nom_trgm').using('gin', sql`${t.nomRecherche} gin_trgm_ops`),
    // « Autour de la commune »: the rows in the search's latitude/longitude box (an R-tree of points)
    index('ref_etab_position_idx').using('gist', sql`point(${t.lng}, ${t.lat})`),
    // A nationwide niveau or type alone (ADR 0009): its page from the roots in name order, its count from
    // the roots' tree summaries (an index-only scan of a small index, not of the table)
    index('ref_etab_racine_nom_idx')
      .on(t.annee, t.nomRecherche, t.id)
      .where(sql`${t.parentId} is null`),
    index('ref_etab_racine_arbre_idx')
      .on(t.annee, t.niveauxArbre, t.typesArbre)
      .where(sql`${t.parentId} is null`),
    // A category or a list alone: its page in name order and its count from its own range (81 roots of
    // the national list, not 12,000 roots filtered)
    index('ref_etab_racine_categorie_idx')
      .on(t.annee, t.categorie, t.nomRecherche, t.id)
      .where(sql`${t.parentId} is null`),
    index('ref_etab_racine_liste_idx')
      .on(t.annee, t.liste, t.nomRecherche, t.id)
      .where(sql`${t.parentId} is null`),
  ],
);

export const refEtablissementUais = pgTable(
  'ref_etablissement_uais',
  {
    etablissementId: bigint('etablissement_id', { mode: 'number' })
      .notNull()
      .references(() => refEtablissements.id, { onDelete: 'cascade' }),
    uai: text('uai').notNull(),
    checksumWarning: boolean('checksum_warning').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.etablissementId, t.uai] }), index('ref_uai_idx').on(t.uai)],
);

/** Diplomas and titles (shared by every year and establishment): formations point to one. */
/**
 * The words of the establishments' names of a year (`nom_recherche` split on spaces, 3 letters or more),
 * rebuilt by each referential import of that year (modules/referentiel/vocabulaire.ts). The search reads
 * it to correct a word typed with one typo (« famililae » → familiale) by exact look-ups, instead of
 * comparing trigrams with thousands of names.
 */
export const refMots = pgTable('ref_mots', { annee: integer('annee').notNull(), mot: text('mot').notNull() }, (t) => [
  primaryKey({ columns: [t.annee, t.mot] }),
]);

export const refDiplomes = pgTable(
  'ref_diplomes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** natural key: CFD, else RNCP, else the normalised title, plus the niveau */
    cle: text('cle').notNull(),
    intitule: text('intitule').notNull(),
    intituleRecherche: text('intitule_recherche').notNull(),
    /** code formation diplôme (BCN), 8 characters */
    cfd: text('cfd'),
    /** 'RNCP12345' */
    rncp: text('rncp'),
    /** niveau of the national qualifications framework, 3 to 8 */
    niveau: integer('niveau'),
    /** BTS, BAC PRO, CAP, LICENCE PRO, … */
    type: text('type'),
    /** the type in lower case between spaces (' licence pro '), kept by the database: a word of the
     * « Formation » field is one of its words when it is LIKE '% word %' (no string built on every row) */
    typeRecherche: text('type_recherche')
      .notNull()
      .generatedAlwaysAs(sql`' ' || lower(coalesce(type, '')) || ' '`),
  },
  (t) => [
    uniqueIndex('ref_diplomes_cle_uq').on(t.cle),
    index('ref_diplomes_rncp_idx').on(t.rncp),
    index('ref_diplomes_intitule_trgm').using('gin', sql`${t.intituleRecherche} gin_trgm_ops`),
  ],
);

export const refFormations = pgTable(
  'ref_formations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    /** with `annee`, a foreign key: a formation is of its establishment's year (the search counts an
     * establishment's formations by its id alone, from the unique index, without reading the rows) */
    etablissementId: bigint('etablissement_id', { mode: 'number' }).notNull(),
    diplomeId: bigint('diplome_id', { mode: 'number' })
      .notNull()
      .references(() => refDiplomes.id),
    /** where it is taught (INSEE code and name), when it differs from the establishment */
    codeCommune: text('code_commune').notNull().default(''),
    commune: text('commune'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('ref_formations_uq').on(t.etablissementId, t.diplomeId, t.codeCommune),
    index('ref_formations_diplome_etab_idx').on(t.diplomeId, t.annee, t.etablissementId),
    foreignKey({
      name: 'ref_formations_etablissement_annee_fk',
      columns: [t.etablissementId, t.annee],
      foreignColumns: [refEtablissements.id, refEtablissements.annee],
    }).onDelete('cascade'),
  ],
);

// ── establishment space (SOLTéA §4.3): what the establishment maintains itself, across years ───
/** The establishment's own page: presentation, contacts, websites. Keyed by SIRET, kept across campaigns. */
export const etablissementProfils = pgTable('etablissement_profils', {
  siret: text('siret').primaryKey(),
  presentation: text('presentation').notNull().default(''),
  contacts: jsonb('contacts').$type<{ fonction: string; nom: string; courriel: string; telephone: string }[]>().notNull().default([]),
  sites: jsonb('sites').$type<{ libelle: string; url: string }[]>().notNull().default([]),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: uuid('updated_by'),
});

/**
 * Bank details, one row per version (history). The row with `remplaceeLe` null is the current one.
 * `statut`: 'a_verifier' | 'verifiee' | 'rejetee', set by the operator.
 */
export const coordonneesBancaires = pgTable(
  'coordonnees_bancaires',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    siret: text('siret').notNull(),
    iban: text('iban').notNull(),
    bic: text('bic').notNull(),
    titulaire: text('titulaire').notNull(),
    statut: text('statut').notNull(),
    motifRejet: text('motif_rejet'),
    createdAt: ts('created_at').notNull(),
    createdBy: uuid('created_by'),
    verifieeLe: ts('verifiee_le'),
    verifieePar: uuid('verifiee_par'),
    remplaceeLe: ts('remplacee_le'),
  },
  (t) => [
    index('coordonnees_bancaires_siret_idx').on(t.siret, t.createdAt),
    uniqueIndex('coordonnees_bancaires_courante_uq')
      .on(t.siret)
      .where(sql`${t.remplaceeLe} is null`),
  ],
);

/** Codes sent to an establishment before its bank details can be entered or changed (stored hashed). */
export const codesBancaires = pgTable(
  'codes_bancaires',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siret: text('siret').notNull(),
    codeHash: text('code_hash').notNull(),
    requestedBy: uuid('requested_by'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    usedAt: ts('used_at'),
  },
  (t) => [index('codes_bancaires_siret_idx').on(t.siret, t.createdAt)],
);

/**
 * The operator's verdicts on bank details (« vérifiée », « rejetée »), one row each: who gave it (the
 * agent's name, from the command line) and when. The version row keeps the latest verdict.
 */
export const coordonneesBancairesStatuts = pgTable(
  'coordonnees_bancaires_statuts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    coordonneesId: bigint('coordonnees_id', { mode: 'number' })
      .notNull()
      .references(() => coordonneesBancaires.id),
    siret: text('siret').notNull(),
    statut: text('statut').notNull(),
    motif: text('motif'),
    /** the operator's agent (prénom nom, or the operating-system user name) */
    agent: text('agent').notNull(),
    operatorUserId: uuid('operator_user_id'),
    at: ts('at').notNull(),
  },
  (t) => [index('coordonnees_bancaires_statuts_idx').on(t.coordonneesId, t.at)],
);

/**
 * Bank codes the operator sends by post, to the establishment's registry address, when its company has
 * no administrator to mail them to (docs/regles.md#coordonnees-bancaires). The code is kept in clear
 * only until the letter is printed (`npm run cli -- courriers-codes`), then erased.
 */
export const courriersCodes = pgTable(
  'courriers_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    codeId: uuid('code_id')
      .notNull()
      .references(() => codesBancaires.id),
    siret: text('siret').notNull(),
    nom: text('nom').notNull(),
    adresse: text('adresse').notNull(),
    codePostal: text('code_postal'),
    commune: text('commune'),
    /** the code in clear until the letter is printed, then null */
    code: text('code'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    requestedBy: uuid('requested_by'),
    sentAt: ts('sent_at'),
    sentBy: text('sent_by'),
  },
  (t) => [
    index('courriers_codes_a_envoyer_idx')
      .on(t.createdAt)
      .where(sql`sent_at is null`),
    index('courriers_codes_siret_idx').on(t.siret, t.createdAt),
  ],
);

// ── employers (SOLTéA §4.4): envelopes and allocations, per campaign year ──────────────────────
/** What an employer SIRET may allocate for a campaign (amounts in cents). Filled by the envelope import. */
export const enveloppes = pgTable(
  'enveloppes',
  {
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
    /** 'URSSAF' | 'MSA' */
    collecteur: text('collecteur').notNull(),
    /** DSN code 076, gross solde */
    soldeCents: bigint('solde_cents', { mode: 'bigint' }).notNull(),
    /** DSN codes 077 + 078 */
    deductionsCents: bigint('deductions_cents', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    fraisCents: bigint('frais_cents', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** crédits à répartir */
    creditsCents: bigint('credits_cents', { mode: 'bigint' }).notNull(),
    /** « partage de coordonnées »: the employer agrees to be named to the establishments it chose */
    partageCoordonnees: boolean('partage_coordonnees').notNull().default(false),
    /** what the collector passed on after its own fees (basis of the operator fee's pro rata share) */
    reverseCents: bigint('reverse_cents', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** the operator's share of its yearly fee (part of fraisCents) */
    fraisOperateurCents: bigint('frais_operateur_cents', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** carried over from or to the next campaign (CGU 6.1.3), signed */
    reportCents: bigint('report_cents', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** payroll period of the declared solde, e.g. '2024' */
    periode: text('periode'),
    /** who filed the DSN and when (tiers-déclarants act for clients whose DSN they filed in the last six months) */
    declarantSiret: text('declarant_siret'),
    declarantNom: text('declarant_nom'),
    deposeLe: ts('depose_le'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.annee, t.siret] }), index('enveloppes_declarant_idx').on(t.declarantSiret, t.annee)],
);

/**
 * The lines of the envelope files being imported (src/modules/enveloppes/staging.ts), staged so that the
 * import never holds a national file in memory: written as the files are read, aggregated SIRET by SIRET,
 * deleted when the import ends (UNLOGGED in the migration: a scratch table, not worth the WAL). `depot`
 * is the order of the line's deposit in the input (the first line of that deposit).
 */
export const enveloppesImportLignes = pgTable(
  'enveloppes_import_lignes',
  {
    run: text('run').notNull(),
    seq: integer('seq').notNull(),
    siret: text('siret').notNull(),
    exercice: integer('exercice').notNull(),
    code: text('code').notNull(),
    cents: bigint('cents', { mode: 'bigint' }).notNull(),
    collecteur: text('collecteur').notNull(),
    depot: integer('depot').notNull(),
    deposeLe: text('depose_le'),
    declarantSiret: text('declarant_siret'),
    declarantNom: text('declarant_nom'),
    debut: text('debut').notNull(),
    fin: text('fin').notNull(),
    fichier: integer('fichier').notNull(),
    ligne: integer('ligne').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('enveloppes_import_lignes_idx').on(t.run, t.siret, t.seq)],
);

/**
 * A campaign's calendar (domain/campagne.ts `Campaign`), fixed each year by arrêté and editable by the
 * operator: days are Europe/Paris calendar days ('YYYY-MM-DD').
 */
export const campagnes = pgTable('campagnes', {
  annee: integer('annee').primaryKey(),
  etablissementsOuverture: text('etablissements_ouverture').notNull(),
  employeursOuverture: text('employeurs_ouverture').notNull(),
  periodes: jsonb('periodes').$type<{ numero: number; debut: string; fin: string }[]>().notNull(),
  vagues: jsonb('vagues').$type<{ numero: number; date: string; periodeNumero: number }[]>().notNull(),
  reliquat: text('reliquat').notNull(),
  /** last day on which an employer may designate another establishment for a share that could not be paid (D. 6241-27-1) */
  redesignationFin: text('redesignation_fin'),
  /** the regional part of the reliquat, in basis points (R. 6241-28: each part at least 20 %; 40 % by the arrêtés of 2024 and 2025) */
  reliquatRegionaleBp: integer('reliquat_regionale_bp').notNull().default(4000),
  source: text('source'),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: uuid('updated_by'),
});

/**
 * One employer's share (basis points, 1 % = 100) to an establishment / composante, or to one of its
 * formations, for a campaign year.
 */
export const attributions = pgTable(
  'attributions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    siretEmployeur: text('siret_employeur').notNull(),
    etablissementId: bigint('etablissement_id', { mode: 'number' })
      .notNull()
      .references(() => refEtablissements.id),
    formationId: bigint('formation_id', { mode: 'number' }).references(() => refFormations.id),
    pointsBase: integer('points_base').notNull(),
    /** 'enregistree' (choice saved) | 'validee' (« Valider mon attribution ») */
    statut: text('statut').notNull(),
    /** when validated, and in which allocation period (the lock rule needs it) */
    valideeLe: ts('validee_le'),
    validePeriode: integer('valide_periode'),
    updatedAt: ts('updated_at').notNull(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [
    uniqueIndex('attributions_uq').on(t.annee, t.siretEmployeur, t.etablissementId, sql`coalesce(${t.formationId}, 0)`),
    index('attributions_etab_idx').on(t.etablissementId),
  ],
);

/** The columns of an allocation line (the employers' screens, the groups, the establishments' lists). */
export const attributionLineColumns = {
  id: attributions.id,
  etablissementId: attributions.etablissementId,
  formationId: attributions.formationId,
  pointsBase: attributions.pointsBase,
  statut: attributions.statut,
  valideeLe: attributions.valideeLe,
};

/**
 * One employer SIRET's choices for a campaign, as a whole (SOLTéA employer space): the version every
 * form carries (a stale form is refused rather than overwriting another person's change), and the
 * period in which it validated 100 % of its funds (the lock rule of the calendar arrêté).
 */
export const choixEmployeurs = pgTable(
  'choix_employeurs',
  {
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
    version: integer('version').notNull().default(0),
    /** the allocation period in which 100 % were validated, or null */
    validationTotalePeriode: integer('validation_totale_periode'),
    valideLe: ts('valide_le'),
    updatedAt: ts('updated_at').notNull(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [primaryKey({ columns: [t.annee, t.siret] })],
);

/**
 * « Mes groupes »: SIRETs of one company allocating together for a campaign; the choices of the
 * reference SIRET are copied to every member (each on its own crédits à répartir).
 */
export const groupes = pgTable(
  'groupes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    annee: integer('annee').notNull(),
    siren: text('siren').notNull(),
    nom: text('nom').notNull(),
    siretReference: text('siret_reference').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: uuid('created_by'),
  },
  (t) => [uniqueIndex('groupes_reference_uq').on(t.annee, t.siretReference), index('groupes_siren_idx').on(t.siren, t.annee)],
);

export const groupeMembres = pgTable(
  'groupe_membres',
  {
    groupeId: bigint('groupe_id', { mode: 'number' })
      .notNull()
      .references(() => groupes.id, { onDelete: 'cascade' }),
    annee: integer('annee').notNull(),
    siret: text('siret').notNull(),
  },
  /** a SIRET belongs to one group per campaign */
  (t) => [primaryKey({ columns: [t.annee, t.siret] }), index('groupe_membres_groupe_idx').on(t.groupeId)],
);

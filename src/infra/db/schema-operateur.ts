/**
 * Database schema of the operator's space (src/modules/operateur, docs/regles.md#operateur): the agents'
 * sessions, apart from the companies' users', and the single-use links that let an agent choose a
 * password. The agents themselves are in schema-versements.ts. Read with schema.ts (drizzle-kit reads
 * every schema*.ts).
 */
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sessionColumns, singleUseTokenColumns } from './columns.js';
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

/** Column builders every schema file uses: instants with their time zone, money as bigint cents. */
import { bigint, text, timestamp } from 'drizzle-orm/pg-core';

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const cents = (name: string) => bigint(name, { mode: 'bigint' });

/** What every session table keeps besides its owner (users' `sessions`, agents' `agent_sessions`). */
export const sessionColumns = () => ({
  csrfToken: text('csrf_token').notNull(),
  createdAt: ts('created_at').notNull(),
  lastSeenAt: ts('last_seen_at').notNull(),
  absoluteExpiresAt: ts('absolute_expires_at').notNull(),
  revokedAt: ts('revoked_at'),
  ip: text('ip'),
  userAgent: text('user_agent'),
});

/** A single-use secret sent by mail, stored hashed and expiring (users' `tokens`, agents' `agent_jetons`). */
export const singleUseTokenColumns = () => ({
  tokenHash: text('token_hash').notNull(),
  createdAt: ts('created_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

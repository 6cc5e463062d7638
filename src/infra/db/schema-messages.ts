/**
 * Database schema of the campaign's messages (src/modules/messages, docs/messages.md): the calendar
 * events the scheduler has turned into messages, the establishment users' preferences, and the sending
 * budget of the mail outbox (one row per second, shared by every instance). Read with schema.ts
 * (drizzle-kit reads every schema*.ts).
 */
import { boolean, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { users } from './schema.js';

/**
 * A calendar event of a campaign (its opening, a period's end drawing near, a day's digest) turned into
 * messages: the key (`ouverture-employeurs:2025`, `fin-periode:2025:1:j7:employeurs`, `resume:2025-06-10`)
 * is inserted in the transaction that queues the event's messages, so an event is processed once,
 * whatever the instances running the scheduler or a crash half-way (the transaction rolls back whole).
 */
export const messageEvenements = pgTable('message_evenements', {
  cle: text('cle').primaryKey(),
  annee: integer('annee').notNull(),
  traiteLe: ts('traite_le').notNull(),
  /** messages queued (mails) for the event */
  messages: integer('messages').notNull(),
});

/** A person's choices about optional messages: the daily digest of allocations received (on by default). */
export const preferencesMessages = pgTable('preferences_messages', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id),
  resumeQuotidien: boolean('resume_quotidien').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * The outbox's sending budget (MAIL_RATE_PER_SECOND): how many mails every instance together has
 * started sending in one second of the clock. A row is taken before a send in its own statement.
 */
export const mailDebit = pgTable('mail_debit', {
  seconde: ts('seconde').primaryKey(),
  envois: integer('envois').notNull(),
});

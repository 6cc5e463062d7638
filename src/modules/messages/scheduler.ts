/**
 * The scheduler of the campaign's messages (docs/messages.md). `tick(ctx, now)` finds the calendar
 * events due at `now` (domain/messages-calendrier.ts) and, for each not processed yet, in ONE
 * transaction: takes the event's key in `message_evenements`, then queues one tableau de bord line and
 * one mail per person (keys `<event>:<user>` unique in `notifications` and `mail_outbox`). Hence:
 *
 * - idempotent: a second tick finds the key taken and does nothing; a crash half-way rolls the whole
 *   event back, and the next tick does it again from the start;
 * - several instances: the second instance's insert of the key waits for the first's transaction, then
 *   finds the key taken;
 * - the clock is injected (`now`); the running server calls `tick` every MESSAGES_INTERVAL_S seconds,
 *   the tests drive it themselves. The mails go out through the outbox (infra/mail.ts): throttled,
 *   retried with back-off, given up after MAIL_MAX_ATTEMPTS tries and then visible.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Campaign } from '../../domain/campagne.js';
import { addDays } from '../../domain/jours.js';
import { evenementsDus, type EvenementCampagne } from '../../domain/messages-calendrier.js';
import { parisStartOfDay } from '../../domain/jours.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { messageEvenements } from '../../infra/db/schema-messages.js';
import { attachRecapitulatifs } from '../attributions/recapitulatif.js';
import { currentCampaign } from '../campagnes/repository.js';
import { catchUpSummaries } from '../statistiques/donnees.js';
import { remindInTx } from './rappels-coordonnees.js';
import { employeurs, etablissementsAvecAttributions, etablissementsHabilites, type Destinataire, type Employeur } from './audiences.js';
import { queueMessages } from '../notifications/messages.js';
import { finPeriodeEmployeur, ouvertureEmployeur, ouvertureEtablissement, resumeEtablissement, type Texte } from './textes.js';

export interface TickReport {
  /** the events processed by this tick, with the mails each queued */
  traites: { cle: string; messages: number }[];
  /** the events due but already processed (by an earlier tick or another instance) */
  dejaTraites: string[];
  /** the openings' catch-up: the people habilitated (or given an envelope) after the opening went out, told now */
  rattrapages: { cle: string; messages: number }[];
  /** employers whose statistics summaries the background catch-up recomputed (statistiques/donnees.ts) */
  statistiques: number;
}

/**
 * Batches of the statistics catch-up per tick (REFRESH_BATCH employers each): after a national payment
 * wave queues ~300,000 employers, a few ticks bring the summaries up to date, so the statistics page's
 * first read finds little or nothing to refresh.
 */
export const STATISTIQUES_BATCHES_PAR_TICK = 25;

type Page<D extends Destinataire> = (tx: Tx, after: string) => Promise<D[]>;

/** Every page of an audience, each person's text queued; the number of mails queued. */
async function queueAll<D extends Destinataire>(
  tx: Tx,
  ctx: AppContext,
  cle: string,
  page: Page<D>,
  text: (d: D) => Texte,
  /** who of a page is told (an employer left with no SIRET by the tiers-déclarant rule is not) */
  keep: (d: D) => boolean = () => true,
): Promise<number> {
  let after = '';
  let queued = 0;
  for (;;) {
    const rows = await page(tx, after);
    if (rows.length === 0) return queued;
    queued += await queueMessages(
      tx,
      ctx.clock.now(),
      rows.filter(keep).map((d) => ({ cle: `${cle}:${d.user_id}`, person: d, ...text(d) })),
    );
    after = rows[rows.length - 1]!.user_id;
  }
}

/** The employers' audience of year `annee` (`nonValides`: those not done yet), each with a SIRET left. */
function queueEmployeurs(tx: Tx, ctx: AppContext, cle: string, annee: number, nonValides: boolean, text: (d: Employeur) => Texte) {
  return queueAll(
    tx,
    ctx,
    cle,
    (t, after) => employeurs(t, annee, after, { nonValides, now: ctx.clock.now() }),
    text,
    (d) => d.sirets.length > 0,
  );
}

/** The messages of one event. */
function queueEvent(tx: Tx, ctx: AppContext, c: Campaign, ev: EvenementCampagne): Promise<number> {
  const a = ev.annee;
  switch (ev.kind) {
    case 'ouverture':
      return ev.public === 'employeurs'
        ? queueEmployeurs(tx, ctx, ev.cle, a, false, (d) => ouvertureEmployeur(ctx, c, d))
        : queueAll(
            tx,
            ctx,
            ev.cle,
            (t, after) => etablissementsHabilites(t, a, after),
            (d) => ouvertureEtablissement(ctx, c, d),
          );
    case 'fin-periode':
      return ev.public === 'employeurs'
        ? queueEmployeurs(tx, ctx, ev.cle, a, true, (d) => finPeriodeEmployeur(ctx, c, ev, d))
        : // the bank-details reminder: one rule, one key per establishment shared with the operator's bulk reminder
          remindInTx(tx, ctx, c, ev.periode, ev.jours).then((r) => r.messages);
    case 'resume': {
      const from = parisStartOfDay(ev.jour);
      const to = parisStartOfDay(addDays(ev.jour, 1));
      return queueAll(
        tx,
        ctx,
        ev.cle,
        (t, after) => etablissementsAvecAttributions(t, a, from, to, after),
        (d) => resumeEtablissement(ctx, ev, d),
      );
    }
  }
}

/** Processes one event if its key is free: null when it was already processed. */
export async function processEvent(ctx: AppContext, c: Campaign, ev: EvenementCampagne, now: Date): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const taken = await tx
      .insert(messageEvenements)
      .values({ cle: ev.cle, annee: ev.annee, traiteLe: now, messages: 0 })
      .onConflictDoNothing()
      .returning({ cle: messageEvenements.cle });
    if (taken.length === 0) return null;
    const messages = await queueEvent(tx, ctx, c, ev);
    await tx
      .update(messageEvenements)
      .set({ messages })
      .where(sql`${messageEvenements.cle} = ${ev.cle}`);
    return messages;
  });
}

/**
 * The opening's catch-up, while it is due (until the last period ends): the people of its audience who
 * have no `<event>:<user>` line yet — habilitated, given access, or given an envelope after the opening
 * went out — are told now, once (the same per-person keys). One transaction; tried under an advisory
 * lock, so a second instance at the same moment leaves it (and the unique keys would make its work a
 * no-op anyway). The event's count of messages grows by those sent. Cost: one read of the audience per
 * tick, each person checked by the unique index of `notifications.cle`.
 */
export async function catchUpOpening(ctx: AppContext, c: Campaign, ev: Extract<EvenementCampagne, { kind: 'ouverture' }>): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const [lock] = await selectRows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(hashtext(${ev.cle})) as ok`);
    if (!lock?.ok) return 0;
    const a = ev.annee;
    const n =
      ev.public === 'employeurs'
        ? await queueAll(
            tx,
            ctx,
            ev.cle,
            (t, after) => employeurs(t, a, after, { nonValides: false, now: ctx.clock.now(), sauf: ev.cle }),
            (d) => ouvertureEmployeur(ctx, c, d),
            (d) => d.sirets.length > 0,
          )
        : await queueAll(
            tx,
            ctx,
            ev.cle,
            (t, after) => etablissementsHabilites(t, a, after, ev.cle),
            (d) => ouvertureEtablissement(ctx, c, d),
          );
    if (n)
      await tx
        .update(messageEvenements)
        .set({ messages: sql`${messageEvenements.messages} + ${n}` })
        .where(sql`${messageEvenements.cle} = ${ev.cle}`);
    return n;
  });
}

/** The scheduler's step: every event of the current campaign due at `now` turned into queued messages, once. */
export async function tick(ctx: AppContext, now: Date = ctx.clock.now()): Promise<TickReport> {
  const c = await currentCampaign(ctx);
  const report: TickReport = { traites: [], dejaTraites: [], rattrapages: [], statistiques: 0 };
  for (const ev of evenementsDus(c, now)) {
    const n = await processEvent(ctx, c, ev, now);
    if (n === null) report.dejaTraites.push(ev.cle);
    else report.traites.push({ cle: ev.cle, messages: n });
    if (n === null && ev.kind === 'ouverture') {
      const late = await catchUpOpening(ctx, c, ev);
      if (late) report.rattrapages.push({ cle: ev.cle, messages: late });
    }
  }
  // the récapitulatifs' PDFs left held by an instance that died before its outbox built them
  await attachRecapitulatifs(ctx);
  report.statistiques = await catchUpSummaries(ctx.db, c.annee, { batches: STATISTIQUES_BATCHES_PAR_TICK });
  return report;
}

/**
 * Runs `tick` every `intervalMs` (0: never) and sends what it queued; an error is said on the error
 * output and the next run tries again.
 */
export function startScheduler(ctx: AppContext, intervalMs: number): { stop(): Promise<void> } {
  if (intervalMs <= 0) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = tick(ctx)
      .then((r) => (r.traites.length ? ctx.mail.flush().then(() => undefined) : undefined))
      .catch((e: unknown) => {
        process.stderr.write(`Messages de la campagne : ${e instanceof Error ? e.message : String(e)}\n`);
      })
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (running) await running;
    },
  };
}

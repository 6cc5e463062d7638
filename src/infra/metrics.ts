/**
 * Metrics for Prometheus (`GET /metrics`, text exposition format 0.0.4), with prom-client.
 *
 * Two kinds, because Prometheus scrapes a *process*:
 * - the process's own figures, in `processMetrics` (one registry per process): Node's defaults (memory,
 *   event-loop lag, GC), the latency of every request by route pattern, method and status, and every
 *   audited action by name (`login.success`, `login.failure`, `login.locked` are the logins and
 *   lockouts; a change rolled back after its audit line still counts: it is an attempt);
 * - the figures of a database, read when scraped (`databaseMetrics`): the connection pool (PostgreSQL),
 *   the mail outbox's backlog and the mails given up, and the work queues people wait on.
 */
import { sql } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { selectRows, type Db } from './db/index.js';

export const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics, prefix: 'soltea_' });

export const httpRequestDuration = new Histogram({
  name: 'soltea_http_request_duration_seconds',
  help: 'Durée des requêtes HTTP, par route (motif), méthode et statut',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processMetrics],
});

export const auditedActions = new Counter({
  name: 'soltea_audit_events_total',
  help: 'Actions auditées, par action (connexions : login.success, login.failure ; verrouillages : login.locked)',
  labelNames: ['action'] as const,
  registers: [processMetrics],
});

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

interface Backlog {
  outbox_due: string;
  outbox_given_up: string;
  demandes_en_attente: string;
}

/** A registry of the figures read from `db` (and its pool) at each scrape. */
export function databaseMetrics(db: Db, pool: (() => PoolStats) | null): Registry {
  const registry = new Registry();
  if (pool) {
    new Gauge({
      name: 'soltea_db_pool_connections',
      help: 'Connexions du pool PostgreSQL : ouvertes (total), libres (idle), requêtes en attente (waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = pool();
        this.set({ state: 'total' }, s.total);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
  }
  new Gauge({
    name: 'soltea_queue_length',
    help: 'Files d’attente : courriels à envoyer (mail_outbox), courriels abandonnés, demandes en attente de réponse',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const [row] = await selectRows<Backlog>(
        db,
        sql`
        select (select count(*) from mail_outbox where sent_at is null and gave_up_at is null)::text as outbox_due,
               (select count(*) from mail_outbox where gave_up_at is not null)::text as outbox_given_up,
               (select count(*) from demandes where decided_at is null)::text as demandes_en_attente`,
      );
      if (!row) return;
      this.set({ queue: 'mail_outbox' }, Number(row.outbox_due));
      this.set({ queue: 'mail_given_up' }, Number(row.outbox_given_up));
      this.set({ queue: 'demandes' }, Number(row.demandes_en_attente));
    },
  });
  return registry;
}

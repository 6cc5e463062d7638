/**
 * The rights themselves (table `habilitations`): who may declare / pay which declaration on which
 * SIRET (docs/regles.md#habilitations). Read by (user, SIRET) pairs, written in set-based statements
 * with one `habilitation_history` row per change, and the persons whose rights changed are told.
 * Callers check the scope first (habilitations.ts).
 */
import { and, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { findDeclaration } from '../../domain/declarations.js';
import type { Tx } from '../../infra/db/index.js';
import { habilitationHistory, habilitations } from '../../infra/db/schema.js';
import { notify } from '../notifications/notify.js';
import type { User } from './scope.js';
import { arrayParam } from '../../infra/db/sql.js';

export const CHANGED_SUBJECT = 'Vos habilitations ont changé';

export interface Rights {
  declarer: boolean;
  payer: boolean;
}

export const rowKey = (userId: string, siret: string, code: string) => `${userId}|${siret}|${code}`;

export function parseRowKey(key: string): { userId: string; siret: string; code: string } | null {
  const m = /^([0-9a-f-]{36})\|(\d{14})\|([A-Z_]{1,40})$/i.exec(key);
  return m ? { userId: m[1]!.toLowerCase(), siret: m[2]!, code: m[3]! } : null;
}

/** Current rights of the given (user, siret, code) triples, by `rowKey`; users are already in the caller's scope. */
export async function rightsOf(tx: Tx, triples: readonly { userId: string; siret: string; code: string }[]) {
  const out = new Map<string, Rights>();
  if (!triples.length) return out;
  const rows = await tx
    .select()
    .from(habilitations)
    .where(
      and(
        sql`${habilitations.userId} = any(${arrayParam([...new Set(triples.map((t) => t.userId))])}::uuid[])`,
        sql`${habilitations.siret} = any(${arrayParam([...new Set(triples.map((t) => t.siret))])}::text[])`,
      ),
    );
  for (const r of rows) out.set(rowKey(r.userId, r.siret, r.declarationCode), { declarer: r.declarer, payer: r.payer });
  return out;
}

export interface Wanted {
  userId: string;
  siret: string;
  code: string;
  /** undefined: keep the current value */
  declarer: boolean | undefined;
  payer: boolean | undefined;
}

export interface Applied {
  changes: number;
  changedUsers: string[];
  changedSirets: Set<string>;
}

type Change = { userId: string; siret: string; code: string; declarer: boolean; payer: boolean };

/** One administrator's changes at a time in an espace: a double submission waits, then finds nothing left to change. */
export async function lockHabilitations(tx: Tx, espaceId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`habilitations:${espaceId}`}))`);
}

/**
 * Writes the wanted rights (already checked against the scope) and one history row per change, in
 * three set-based statements (upsert, delete, history), under the espace's lock. `known`: the current
 * rights, when the caller has already read them under the lock.
 */
export async function writeRights(
  tx: Tx,
  ctx: AppContext,
  admin: User,
  wanted: readonly Wanted[],
  known?: Map<string, Rights>,
): Promise<Applied> {
  await lockHabilitations(tx, admin.espaceId);
  const current = known ? new Map(known) : await rightsOf(tx, wanted);
  const { history, final } = changesOf(wanted, current);
  if (history.length) await writeChanges(tx, ctx.clock.now(), admin, history, [...final.values()]);
  return {
    changes: history.length,
    changedUsers: [...new Set(history.map((c) => c.userId))],
    changedSirets: new Set(history.map((c) => c.siret)),
  };
}

/** The changes, in order (`history`), and the last state of each row changed (`final`). */
function changesOf(wanted: readonly Wanted[], current: Map<string, Rights>) {
  const history: Change[] = [];
  const final = new Map<string, Change>();
  for (const w of wanted) {
    const key = rowKey(w.userId, w.siret, w.code);
    const before = current.get(key) ?? { declarer: false, payer: false };
    const payable = findDeclaration(w.code)?.payable ?? false;
    const declarer = w.declarer ?? before.declarer;
    const payer = payable ? (w.payer ?? before.payer) : false;
    if (declarer === before.declarer && payer === before.payer) continue;
    const row = { userId: w.userId, siret: w.siret, code: w.code, declarer, payer };
    history.push(row);
    final.set(key, row);
    current.set(key, { declarer, payer });
  }
  return { history, final };
}

const unnest = (rows: readonly Change[]) =>
  sql`unnest(${arrayParam(rows.map((r) => r.userId))}::uuid[], ${arrayParam(rows.map((r) => r.siret))}::text[], ${arrayParam(rows.map((r) => r.code))}::text[], ${arrayParam(rows.map((r) => r.declarer))}::bool[], ${arrayParam(rows.map((r) => r.payer))}::bool[])`;

async function writeChanges(tx: Tx, now: Date, admin: User, history: readonly Change[], last: readonly Change[]) {
  const granted = last.filter((r) => r.declarer || r.payer);
  const removed = last.filter((r) => !(r.declarer || r.payer));
  if (granted.length)
    await tx.execute(sql`insert into ${habilitations} (user_id, siret, declaration_code, declarer, payer, granted_at, granted_by)
        select t.u, t.s, t.c, t.d, t.p, ${now}, ${admin.id}::uuid from ${unnest(granted)} as t(u, s, c, d, p)
        on conflict (user_id, siret, declaration_code) do update set declarer = excluded.declarer, payer = excluded.payer, granted_at = excluded.granted_at, granted_by = excluded.granted_by`);
  if (removed.length)
    await tx.execute(sql`delete from ${habilitations} h using ${unnest(removed)} as t(u, s, c, d, p)
        where h.user_id = t.u and h.siret = t.s and h.declaration_code = t.c`);
  await tx.execute(sql`insert into ${habilitationHistory} (at, espace_id, actor_user_id, user_id, siret, declaration_code, declarer, payer)
      select ${now}, ${admin.espaceId}::uuid, ${admin.id}::uuid, t.u, t.s, t.c, t.d, t.p from ${unnest(history)} with ordinality as t(u, s, c, d, p, n) order by t.n`);
}

/**
 * Deletes the rights matching `where` (the caller puts its scope in it), each recorded as withdrawn in
 * the history by `admin`; how many.
 */
export async function withdrawRights(tx: Tx, admin: User, now: Date, where: SQL | undefined): Promise<number> {
  const removed = await tx
    .delete(habilitations)
    .where(where)
    .returning({ userId: habilitations.userId, siret: habilitations.siret, code: habilitations.declarationCode });
  if (removed.length)
    await tx.insert(habilitationHistory).values(
      removed.map((r) => ({
        at: now,
        espaceId: admin.espaceId,
        actorUserId: admin.id,
        userId: r.userId,
        siret: r.siret,
        declarationCode: r.code,
        declarer: false,
        payer: false,
      })),
    );
  return removed.length;
}

/** A notification (and a mail) to each person whose rights changed. */
export async function tellPeople(tx: Tx, ctx: AppContext, userIds: readonly string[]) {
  await notify(
    tx,
    ctx,
    userIds,
    'Vos habilitations ont été modifiées par un administrateur de votre entreprise. Consultez votre menu personnalisé pour voir les services auxquels vous avez accès.',
    { subject: CHANGED_SUBJECT },
  );
}

/**
 * `npx tsx bench/access-whatif.ts` (BENCH_DATABASE_URL for PostgreSQL): on the data of the access
 * benchmark, times what the slow paths of bench/access.ts do today against the changes proposed for
 * src/ (same results, set-based or paged), without touching src/. Writes are rolled back.
 */
process.env.NODE_ENV = process.env.BENCH_NODE_ENV || 'production';
const { sql, eq } = await import('drizzle-orm');
const { createApp } = await import('../src/app.js');
const { ManualClock } = await import('../src/infra/clock.js');
const { loadConfig } = await import('../src/infra/config.js');
const { users } = await import('../src/infra/db/schema.js');
const { loadGrid, loadScope } = await import('../src/modules/gestion/habilitations.js');
const { recapitulatif } = await import('../src/modules/gestion/portefeuilles-recapitulatif.js');
const { freshDatabase, startSmtp } = await import('../test/harness.js');
const { setupAccessData } = await import('./access-setup.js');
const { summarize, round } = await import('./stats.js');

const url = process.env.BENCH_DATABASE_URL;
if (url) process.env.TEST_DATABASE_URL = url;
else {
  delete process.env.TEST_DATABASE_URL;
  delete process.env.DATABASE_URL;
}
const log = (s: string) => process.stdout.write(s + '\n');
const smtp = await startSmtp([]);
const { database, drop } = await freshDatabase();
const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));
const app = await createApp(
  loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
  }),
  { clock, database },
);
const db = app.ctx.db;
const data = await setupAccessData(app.ctx, () => undefined);
const [admin] = await db.select().from(users).where(eq(users.id, data.adminId));
const E = data.espaceId;
const rows = <T>(r: unknown) => (r as { rows: T[] }).rows;
const arr = (xs: readonly string[]) => `{${xs.join(',')}}`;

async function time(name: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  const s = summarize(ms);
  log(`  ${name.padEnd(78)} p50 ${String(round(s.p50, 1)).padStart(7)} ms  p95 ${String(round(s.p95, 1)).padStart(7)} ms`);
  return s;
}

log(`what-if on ${database.kind}`);
const scope = await loadScope(db, admin!);
const sirets = scope.sirets.map((s) => s.siret);

// 1. the scope's declarations: IN list of every SIRET vs a subquery on the espace (uses the PK prefix)
const viaList = () =>
  db.execute(
    sql`select distinct siret, declaration_code from etablissement_declarations where siret in (${sql.join(
      sirets.map((s) => sql`${s}`),
      sql`, `,
    )})`,
  );
const viaSubquery = () =>
  db.execute(sql`select ed.siret, ed.declaration_code from etablissement_declarations ed where ed.espace_id = ${E} and ed.siret in (
      select x.siret from etablissements x join espaces s on s.siren = x.siren where s.id = ${E}
      union all select pe.siret from portefeuille_etablissements pe join portefeuilles p on p.id = pe.portefeuille_id where p.espace_id = ${E})`);
log(`scope declarations (${sirets.length} SIRETs): ${rows(await viaList()).length} vs ${rows(await viaSubquery()).length} rows`);
await time('today: where siret in ($1 … $6184)', 20, viaList);
await time('proposed: where espace_id = $1 and siret in (subquery of the scope)', 20, viaSubquery);
await time('whole loadScope today', 20, () => loadScope(db, admin!));

// 2. the grid page: every row materialised (codes × SIRETs × persons) vs the page computed by index
await time('loadGrid page 1 today (materialises all rows)', 20, () =>
  loadGrid(db, scope, { siret: '', declarant: '', service: '', page: 1 }),
);
function pageByIndex(page: number) {
  const pairs: { code: string; siret: string }[] = [];
  for (const code of scope.codes)
    for (const s of scope.sirets) if (scope.declared.get(s.siret)?.has(code)) pairs.push({ code, siret: s.siret });
  const P = scope.persons.length;
  const total = pairs.length * P;
  const out = [];
  for (let i = (page - 1) * 50; i < Math.min(total, page * 50); i++)
    out.push({ ...pairs[Math.floor(i / P)]!, person: scope.persons[i % P]! });
  return { out, total };
}
await time('proposed: pairs (code, SIRET) only, page rows by index (JS only)', 20, async () => pageByIndex(3896));

// 3. current rights of 10,000 import lines: inArray(users) × inArray(~6,000 SIRETs) vs array params
const someSirets = sirets.slice(0, 6000);
const persons = scope.persons.map((p) => p.id);
await time('rightsOf today: user_id in (21 params) and siret in (6,000 params)', 10, () =>
  db.execute(
    sql`select * from habilitations where user_id in (${sql.join(
      persons.map((p) => sql`${p}`),
      sql`, `,
    )}) and siret in (${sql.join(
      someSirets.map((s) => sql`${s}`),
      sql`, `,
    )})`,
  ),
);
await time('proposed: user_id = any($1::uuid[]) and siret = any($2::text[])', 10, () =>
  db.execute(sql`select * from habilitations where user_id = any(${arr(persons)}::uuid[]) and siret = any(${arr(someSirets)}::text[])`),
);

// 4. 2,500 changed rights: one statement per change (×2 with the history) vs 3 set-based statements
const changes = rows<{ user_id: string; siret: string; declaration_code: string; declarer: boolean; payer: boolean }>(
  await db.execute(sql`select user_id, siret, declaration_code, declarer, payer from habilitations order by siret, user_id limit 2500`),
);
const rollback = async (fn: (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) => Promise<void>) => {
  try {
    await db.transaction(async (tx) => {
      await fn(tx);
      tx.rollback();
    });
  } catch (e) {
    if (!(e instanceof Error) || !/rollback/i.test(e.constructor.name + e.message)) throw e;
  }
};
const now = clock.now();
await time('today: 2,500 × (upsert habilitations + insert history), one row each', 3, () =>
  rollback(async (tx) => {
    for (const c of changes) {
      await tx.execute(sql`insert into habilitations (user_id, siret, declaration_code, declarer, payer, granted_at, granted_by) values (${c.user_id}, ${c.siret}, ${c.declaration_code}, ${!c.declarer}, ${c.payer}, ${now}, ${data.adminId})
        on conflict (user_id, siret, declaration_code) do update set declarer = excluded.declarer, payer = excluded.payer, granted_at = excluded.granted_at, granted_by = excluded.granted_by`);
      await tx.execute(
        sql`insert into habilitation_history (at, espace_id, actor_user_id, user_id, siret, declaration_code, declarer, payer) values (${now}, ${E}, ${data.adminId}, ${c.user_id}, ${c.siret}, ${c.declaration_code}, ${!c.declarer}, ${c.payer})`,
      );
    }
  }),
);
const cols = {
  u: arr(changes.map((c) => c.user_id)),
  s: arr(changes.map((c) => c.siret)),
  c: arr(changes.map((c) => c.declaration_code)),
  d: arr(changes.map((c) => String(!c.declarer))),
  p: arr(changes.map((c) => String(c.payer))),
};
await time('proposed: 1 upsert + 1 delete + 1 history insert from unnest(arrays)', 3, () =>
  rollback(async (tx) => {
    await tx.execute(sql`insert into habilitations (user_id, siret, declaration_code, declarer, payer, granted_at, granted_by)
      select u, s, c, d, p, ${now}, ${data.adminId} from unnest(${cols.u}::uuid[], ${cols.s}::text[], ${cols.c}::text[], ${cols.d}::bool[], ${cols.p}::bool[]) as t(u, s, c, d, p) where d or p
      on conflict (user_id, siret, declaration_code) do update set declarer = excluded.declarer, payer = excluded.payer, granted_at = excluded.granted_at, granted_by = excluded.granted_by`);
    await tx.execute(sql`delete from habilitations h using unnest(${cols.u}::uuid[], ${cols.s}::text[], ${cols.c}::text[], ${cols.d}::bool[], ${cols.p}::bool[]) as t(u, s, c, d, p)
      where not (t.d or t.p) and h.user_id = t.u and h.siret = t.s and h.declaration_code = t.c`);
    await tx.execute(sql`insert into habilitation_history (at, espace_id, actor_user_id, user_id, siret, declaration_code, declarer, payer)
      select ${now}, ${E}, ${data.adminId}, u, s, c, d, p from unnest(${cols.u}::uuid[], ${cols.s}::text[], ${cols.c}::text[], ${cols.d}::bool[], ${cols.p}::bool[]) as t(u, s, c, d, p)`);
  }),
);

// 5. récapitulatif: every row at once vs one page of 50 clients of one portefeuille
await time('récapitulatif today: all portefeuilles, all rows (query only)', 10, () => recapitulatif(app.ctx, E));
const P0 = data.portefeuilleIds[0]!;
await time('proposed: one page (50 clients of one portefeuille), same columns', 20, () =>
  db.execute(sql`
    with page as (
      select c.siren, e.raison_sociale from portefeuille_clients c join entreprises e on e.siren = c.siren
      where c.portefeuille_id = ${P0} order by e.raison_sociale, c.siren limit 50 offset 950)
    select page.siren, page.raison_sociale,
      (select count(*) from etablissements x where x.siren = page.siren and x.etat_administratif = 'A')::int as "activeCount",
      pe.siret,
      (select string_agg(ed.declaration_code, ',' order by ed.declaration_code) from etablissement_declarations ed where ed.espace_id = ${E} and ed.siret = pe.siret) as declarations
    from page join portefeuille_etablissements pe on pe.portefeuille_id = ${P0} and pe.siren = page.siren
    order by page.raison_sociale, page.siren, pe.siret`),
);

const pool = (db as unknown as { $client?: { on?: (event: string, fn: () => void) => void } }).$client;
if (database.kind === 'postgres') pool?.on?.('error', () => undefined);
await app.close();
await drop();
await smtp.close();
export {};

/**
 * What bench/paiements.ts adds to the allocations bench's national data set (kept with it, added once):
 * the collectors' funds received for every 2025 envelope (the amount due to the operator, as
 * import-encaissements records it), verified bank details (valid French IBANs) for every establishment
 * and composante SIRET of the 2025 referential, and two agents, a gestionnaire and a valideur. And the
 * removal of what a run adds: waves, transfers, lines paid, unpayable shares and their audit.
 */
import { sql } from 'drizzle-orm';
import { makeValidFrenchIban } from '../src/domain/iban.js';
import { selectRows, type Database } from '../src/infra/db/index.js';
import type { AgentRef } from '../src/modules/versements/preparation.js';
import { ANNEE, q } from './allocations-setup.js';

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** Adds what is missing (funds, bank details, agents) and returns the agents. */
export async function ensurePaymentsData(database: Database, log: (s: string) => void): Promise<{ g: AgentRef; v: AgentRef }> {
  let t0 = performance.now();
  const funds = await q<{ n: string }>(
    database,
    `with ins as (
       insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
       select e.annee, e.siret, e.collecteur, e.reverse_cents, '2025-06-30', 'bench-paiements', 'bench:' || e.siret, timestamptz '2025-07-01 10:00:00+02'
         from enveloppes e
        where e.annee = ${ANNEE} and e.reverse_cents > 0
       -- the reference's unique index, not an anti-join: the rows being inserted would be scanned again for each one
       on conflict (annee, reference) do nothing
       returning 1)
     select count(*) as n from ins`,
  );
  log(`  funds received: ${funds[0]!.n} envelope(s) added (${secs(t0)})`);
  t0 = performance.now();
  const missing = await selectRows<{ siret: string }>(
    database.db,
    sql`select r.siret from ref_etablissements r
         where r.annee = ${ANNEE} and r.siret is not null
           and not exists (select 1 from coordonnees_bancaires c where c.siret = r.siret and c.remplacee_le is null)
         group by r.siret order by r.siret`,
  );
  for (let i = 0; i < missing.length; i += 5000) {
    const part = missing.slice(i, i + 5000);
    const ibans = part.map((_, k) =>
      makeValidFrenchIban('30004', String((i + k) % 100_000).padStart(5, '0'), String(i + k).padStart(11, '0')),
    );
    await database.db.execute(sql`
      insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, created_at, verifiee_le)
      select s, iban, 'BNPAFRPPXXX', left((select min(r.nom) from ref_etablissements r where r.annee = ${ANNEE} and r.siret = s), 70), 'verifiee',
             timestamptz '2025-05-20 10:00:00+02', timestamptz '2025-05-21 10:00:00+02'
        from unnest(${`{${part.map((p) => p.siret).join(',')}}`}::text[], ${`{${ibans.join(',')}}`}::text[]) as u(s, iban)`);
  }
  log(`  bank details verified: ${missing.length} SIRET(s) added (${secs(t0)})`);
  await database.db.execute(sql`
    insert into agents (courriel, nom, prenom, role, statut, created_at)
    values ('bench-gestionnaire@cdc.test', 'BENCH', 'Gestion', 'gestionnaire', 'actif', now()),
           ('bench-valideur@cdc.test', 'BENCH', 'Valide', 'valideur', 'actif', now())
    on conflict (courriel) do nothing`);
  const agents = await selectRows<{ id: string; role: AgentRef['role'] }>(
    database.db,
    sql`select id::text, role from agents where courriel in ('bench-gestionnaire@cdc.test', 'bench-valideur@cdc.test')`,
  );
  if (funds[0]!.n !== '0' || missing.length) await q(database, 'vacuum analyze encaissements, coordonnees_bancaires');
  return { g: agents.find((a) => a.role === 'gestionnaire')!, v: agents.find((a) => a.role === 'valideur')! };
}

/**
 * Deletes the waves the bench's agents prepared, and everything they wrote (a run's own rows, or an
 * interrupted run's); another program's waves on the same database are left alone.
 */
export async function removeWaves(database: Database): Promise<void> {
  const mine = `select w.id from vagues_versement w join agents a on a.id = w.preparee_par where a.courriel like 'bench-%@cdc.test'`;
  const [n] = await q<{ n: string }>(database, `select count(*) as n from (${mine}) m`);
  if (n!.n === '0') return;
  await q(
    database,
    `delete from non_versables where vague_id in (${mine}); delete from lignes_versees where vague_id in (${mine});
     delete from virements where vague_id in (${mine});
     delete from audit_events where action like 'vague.%' and actor_agent_id in (select id from agents where courriel like 'bench-%@cdc.test');
     delete from vagues_versement where id in (${mine})`,
  );
  await q(database, 'vacuum analyze vagues_versement, virements, lignes_versees, non_versables');
}

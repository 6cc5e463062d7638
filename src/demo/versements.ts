/**
 * The demo's payments: the last campaign (2024) was paid, so that the establishment's « Versements », the
 * employer's « Versé le … », the rapprochement and the operator's list of waves show real figures. As
 * the operator would: the collectors' transfers recorded for every 2024 envelope (the amount due, in
 * full, in July), then the first wave of 2024 prepared by the demo gestionnaire on its day, approved by
 * the demo valideur, and its SEPA file issued (the Lycée Raspail is paid for BOULANGERIE MOUTIN's
 * validated choices; an establishment without verified bank details stays « non versable »). The 2025
 * campaign is left to the person trying the demo: move the clock past a wave (DEV_TOOLS=1) and prepare it
 * from /operateur/vagues. Idempotent: nothing is done once 2024 has a wave.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { parisStartOfDay } from '../domain/jours.js';
import { ManualClock } from '../infra/clock.js';
import { selectRows } from '../infra/db/index.js';
import { agents, vaguesVersement } from '../infra/db/schema-versements.js';
import { prepareWave, type AgentRef } from '../modules/versements/preparation.js';
import { alreadySeeded } from './lookups.js';
import { approveWave, issueWave } from '../modules/versements/vagues.js';

const YEAR = 2024;
const RECEIVED_ON = '2024-07-15';
const WAVE_DAY = '2024-09-06';

async function demoAgent(ctx: Pick<AppContext, 'db'>, role: AgentRef['role']): Promise<AgentRef | null> {
  const [a] = await ctx.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.role, role), eq(agents.statut, 'actif')))
    .limit(1);
  return a ? { id: a.id, role } : null;
}

export async function seedDemoVersements(ctx: AppContext, log: (line: string) => void = () => undefined): Promise<void> {
  if (await alreadySeeded(ctx.db, vaguesVersement, eq(vaguesVersement.annee, YEAR))) return;
  const gestionnaire = await demoAgent(ctx, 'gestionnaire');
  const valideur = await demoAgent(ctx, 'valideur');
  if (!gestionnaire || !valideur) return;
  // the collectors transferred every employer's due in full (docs/encaissements-format.md)
  const received = await selectRows<{ n: number }>(
    ctx.db,
    sql`with ins as (
          insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
          select annee, siret, 'URSSAF', reverse_cents, ${RECEIVED_ON}, 'demo-encaissements-2024.csv',
                 siret || ':URSSAF:' || ${RECEIVED_ON}, ${parisStartOfDay(RECEIVED_ON).toISOString()}::timestamptz
            from enveloppes where annee = ${YEAR} and reverse_cents > 0
          on conflict (annee, reference) do nothing
          returning 1)
        select count(*)::int as n from ins`,
  );
  const clock = new ManualClock(new Date(parisStartOfDay(WAVE_DAY).getTime() + 9 * 3600_000));
  const at = { ...ctx, clock };
  const prepared = await prepareWave(at, gestionnaire, YEAR, 1);
  if (!prepared.ok) throw new Error(`démonstration : vague 1 de ${YEAR} non préparée (${prepared.problem.message})`);
  clock.advance(3600_000);
  const approved = await approveWave(at, valideur, prepared.vagueId);
  if (!approved.ok) throw new Error(`démonstration : vague 1 de ${YEAR} non approuvée (${approved.problem.message})`);
  clock.advance(1800_000);
  const issued = await issueWave(at, valideur, prepared.vagueId);
  if (!issued.ok) throw new Error(`démonstration : vague 1 de ${YEAR} non émise (${issued.problem.message})`);
  log(
    `  versements ${YEAR} : ${received[0]?.n ?? 0} encaissements, vague 1 émise (${prepared.nbVirements} virement(s), ${prepared.nonVersables} part(s) non versable(s))`,
  );
}

/**
 * Demo portefeuilles of the tiers-déclarant CABINET COMPTABLE DURAND (administrator DURAND Paul,
 * déclarant PETIT Inès): « Portefeuille par défaut » with BOULANGERIE MOUTIN, TRANSPORTS GIRAUDIER
 * and a few generated companies, and « CLIENTS » (worked on by PETIT Inès) with GIP MDS. Goes through
 * the use cases, so the rows, the declarations and the audit trail are those of a real session.
 * Its people are habilitated to « SOLTéA - Employeurs » on the clients' établissements, with the
 * access delay over. Adding a client asks it for the cabinet's mandate (docs/regles.md#tiers-declarants):
 * the clients that have an espace (BOULANGERIE MOUTIN, GIP MDS) accept it through their administrator,
 * as they would under « Demande en attente »; the generated companies have no one to decide, so theirs
 * stay pending. Idempotent: does nothing once the cabinet has clients.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { entreprises, espaces, mandats, portefeuilleClients, portefeuilles, users } from '../infra/db/schema.js';
import { decideMandat } from '../modules/accounts/mandats.js';
import { createPortefeuille, ensureDefaultPortefeuille } from '../modules/gestion/portefeuilles.js';
import { addClient } from '../modules/gestion/portefeuilles-clients.js';
import { setPortefeuilleDeclarations } from '../modules/gestion/portefeuilles-declarations.js';
import { alreadySeeded } from './lookups.js';
import { DEMO_COMPANIES } from './registry.js';

/** Each client company with an administrator accepts the cabinet's pending mandate, through the use case. */
async function acceptMandates(ctx: AppContext, tiersEspaceId: string): Promise<void> {
  const pending = await ctx.db
    .select({ id: mandats.id, siren: mandats.siren })
    .from(mandats)
    .where(and(eq(mandats.tiersEspaceId, tiersEspaceId), eq(mandats.statut, 'en_attente')));
  for (const m of pending) {
    const [companyAdmin] = await ctx.db
      .select()
      .from(users)
      .innerJoin(espaces, eq(espaces.id, users.espaceId))
      .where(and(eq(espaces.siren, m.siren), eq(users.role, 'administrateur'), eq(users.status, 'active')))
      .limit(1);
    if (companyAdmin) await decideMandat(ctx, companyAdmin.users, m.id, 'accepter');
  }
}

export async function seedDemoPortefeuilles(ctx: AppContext): Promise<void> {
  const [espace] = await ctx.db.select().from(espaces).where(eq(espaces.siren, DEMO_COMPANIES.cabinetDurand.siren));
  if (!espace || espace.kind !== 'tiers_declarant') return;
  if (await alreadySeeded(ctx.db, portefeuilleClients, eq(portefeuilleClients.espaceId, espace.id))) return;
  const people = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.espaceId, espace.id), eq(users.status, 'active')));
  const admin = people.find((u) => u.role === 'administrateur');
  const declarant = people.find((u) => u.role === 'declarant');
  if (!admin) return;

  await ensureDefaultPortefeuille(ctx, admin);
  const [def] = await ctx.db
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, espace.id), eq(portefeuilles.isDefault, true)));
  await setPortefeuilleDeclarations(ctx, admin, def!.id, ['DSN', 'SOLTEA_EMPLOYEURS']);
  const generated = await ctx.db
    .select({ siren: entreprises.siren })
    .from(entreprises)
    .where(
      and(
        eq(entreprises.etatAdministratif, 'A'),
        sql`${entreprises.siren} not like '99900%'`,
        sql`${entreprises.siren} not in (select siren from espaces)`,
      ),
    )
    .orderBy(entreprises.siren)
    .limit(3);
  for (const siren of [
    DEMO_COMPANIES.boulangerieMoutin.siren,
    DEMO_COMPANIES.transportsGiraudier.siren,
    ...generated.map((g) => g.siren),
  ]) {
    await addClient(ctx, admin, def!.id, siren).catch(() => undefined);
  }

  const clientsId = await createPortefeuille(ctx, admin, {
    name: 'CLIENTS',
    comment: 'Clients suivis par Inès Petit',
    declarants: declarant ? [declarant.id] : [],
  });
  await setPortefeuilleDeclarations(ctx, admin, clientsId, ['SOLTEA_EMPLOYEURS']);
  await addClient(ctx, admin, clientsId, DEMO_COMPANIES.gipMds.siren).catch(() => undefined);
  await acceptMandates(ctx, espace.id);

  // The cabinet's people are habilitated to « SOLTéA - Employeurs » on their clients' établissements
  // (the administrator on every portefeuille, Inès Petit on « CLIENTS »), and the portefeuilles were
  // composed ten days ago: the 24-hour access delay is over, so the demo shows a tiers-déclarant at work.
  const tenDaysAgo = new Date(ctx.clock.now().getTime() - 10 * 24 * 3_600_000);
  await ctx.db.execute(sql`
    update etablissement_declarations set added_at = ${tenDaysAgo}::timestamptz, accessible_at = ${new Date(tenDaysAgo.getTime() + 24 * 3_600_000)}::timestamptz
    where espace_id = ${espace.id} and siret <> ${espace.siret}`);
  const grant = async (userId: string, portefeuilleIds: string[]) => {
    const ids = sql.join(
      portefeuilleIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    await ctx.db.execute(sql`
      insert into habilitations (user_id, siret, declaration_code, declarer, payer, granted_at, granted_by)
      select distinct ${userId}::uuid, pe.siret, 'SOLTEA_EMPLOYEURS', true, false, ${tenDaysAgo}::timestamptz, ${admin.id}::uuid
      from portefeuille_etablissements pe where pe.portefeuille_id in (${ids})
      on conflict do nothing`);
    await ctx.db.execute(sql`
      insert into habilitation_history (at, espace_id, actor_user_id, user_id, siret, declaration_code, declarer, payer)
      select distinct ${tenDaysAgo}::timestamptz, ${espace.id}::uuid, ${admin.id}::uuid, ${userId}::uuid, pe.siret, 'SOLTEA_EMPLOYEURS', true, false
      from portefeuille_etablissements pe where pe.portefeuille_id in (${ids})`);
  };
  await grant(admin.id, [def!.id, clientsId]);
  if (declarant) await grant(declarant.id, [clientsId]);
}

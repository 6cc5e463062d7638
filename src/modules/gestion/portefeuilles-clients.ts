/**
 * The client companies of a tiers-déclarant's portefeuille (« Composition du portefeuille »,
 * docs/regles.md#tiers-declarants): the list, « Ajouter une entreprise » (by SIREN, with all its active
 * établissements and the portefeuille's declarations), « Choisir les établissements », « Gérer les
 * déclarations de l’entreprise », « Transférer » and « Retirer ». Every change reads the portefeuille
 * with the caller's espace first, locked, and is audited in the same transaction.
 *
 * Adding a company asks it for a mandate (accounts/mandats.ts): its administrators are told and decide;
 * until they accept, the client's establishment space stays closed to the tiers. Removing the company
 * ends its mandate. A transfer between the tiers' own portefeuilles keeps it.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { findDeclaration } from '../../domain/declarations.js';
import { parseSiren } from '../../domain/identifiers.js';
import { auditBy } from '../../infra/audit.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import {
  entreprises,
  espaces,
  etablissements,
  portefeuilleClients,
  portefeuilleEtablissements,
  portefeuilles,
} from '../../infra/db/schema.js';
import { requestMandat, withdrawMandat, type MandatStatut } from '../accounts/mandats.js';
import { grantDeclarations, siretsOfClient, withdrawDeclarations } from './portefeuilles-declarations.js';
import {
  declarationsOfPortefeuille,
  findPortefeuille,
  lockedClient,
  lockedPortefeuille,
  refusal,
  typeLabel,
  type Meta,
  type Portefeuille,
} from './portefeuilles-repository.js';
import type { User } from './scope.js';
import { sqlValues } from '../../infra/db/sql.js';

export const CLIENTS_PAGE_SIZE = 50;

export interface ClientEtablissement {
  siret: string;
  denomination: string;
  adresse: string;
  codePostal: string | null;
  libelleCommune: string | null;
  estSiege: boolean;
  chosen: boolean;
}

export interface ClientRow {
  siren: string;
  raisonSociale: string;
  /** active établissements of the company in the registry */
  activeCount: number;
  /** the registry's count of the company's open établissements, when it says */
  registryOpen: number | null;
  /** établissements chosen in the portefeuille */
  chosenCount: number;
  /** one chosen SIRET (for the habilitations link), or null */
  firstSiret: string | null;
  /** « Mono-établissement » or « Multi-établissements » */
  type: string;
  /** the client's mandate: 'en_attente', 'accepte', or the last one ended ('refuse', 'revoque'); null before any */
  mandat: MandatStatut | null;
}

/** « Entreprises du portefeuille »: one query, paged. */
export async function listClients(ctx: AppContext, portefeuilleId: string, page = 1) {
  page = Math.max(1, Math.floor(page));
  // The page's 50 rows first (sorted, with the total), then their counts: the sub-selects run for 50 rows, not 2,000.
  const rows = await selectRows<Omit<ClientRow, 'type'> & { total: number }>(
    ctx.db,
    sql`
    with page as (
      select c.siren, c.portefeuille_id, e.raison_sociale, e.nombre_etablissements_ouverts, (count(*) over ())::int as total
      from portefeuille_clients c join entreprises e on e.siren = c.siren
      where c.portefeuille_id = ${portefeuilleId}
      order by e.raison_sociale, c.siren
      limit ${CLIENTS_PAGE_SIZE} offset ${(page - 1) * CLIENTS_PAGE_SIZE}
    )
    select page.siren, page.raison_sociale as "raisonSociale", page.total, page.nombre_etablissements_ouverts as "registryOpen",
      (select count(*) from etablissements x where x.siren = page.siren and x.etat_administratif = 'A')::int as "activeCount",
      (select count(*) from portefeuille_etablissements pe where pe.portefeuille_id = page.portefeuille_id and pe.siren = page.siren)::int as "chosenCount",
      (select min(pe.siret) from portefeuille_etablissements pe where pe.portefeuille_id = page.portefeuille_id and pe.siren = page.siren) as "firstSiret",
      (select m.statut from mandats m join portefeuilles p on p.espace_id = m.tiers_espace_id
        where p.id = page.portefeuille_id and m.siren = page.siren order by m.requested_at desc limit 1) as mandat
    from page
    order by page.raison_sociale, page.siren`,
  );
  const total = rows[0]?.total ?? 0;
  return {
    rows: rows.map(({ total: _t, ...x }): ClientRow => ({ ...x, type: typeLabel(x.activeCount, x.registryOpen) })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / CLIENTS_PAGE_SIZE)),
  };
}

/** « Choisir les établissements »: the company's active établissements, with those chosen. */
export async function etablissementsOfClient(ctx: AppContext, portefeuilleId: string, siren: string) {
  return selectRows<ClientEtablissement>(
    ctx.db,
    sql`
    select x.siret, x.denomination, x.adresse, x.code_postal as "codePostal", x.libelle_commune as "libelleCommune", x.est_siege as "estSiege",
      (pe.siret is not null) as chosen
    from etablissements x
    left join portefeuille_etablissements pe on pe.portefeuille_id = ${portefeuilleId} and pe.siret = x.siret
    where x.siren = ${siren} and x.etat_administratif = 'A'
    order by x.est_siege desc, x.siret`,
  );
}

/** Declarations present on the client's chosen établissements (for the tiers' espace), by code: how many établissements. */
export async function declarationsOfClient(db: Tx, espaceId: string, portefeuilleId: string, siren: string) {
  const rows = await selectRows<{ code: string; n: number }>(
    db,
    sql`
    select ed.declaration_code as code, count(*)::int as n
    from portefeuille_etablissements pe
    join etablissement_declarations ed on ed.espace_id = ${espaceId} and ed.siret = pe.siret
    where pe.portefeuille_id = ${portefeuilleId} and pe.siren = ${siren}
    group by ed.declaration_code`,
  );
  return new Map(rows.map((x) => [x.code, x.n]));
}

// ── changes ─────────────────────────────────────────────────────────────────────────────────────

/**
 * « Ajouter une entreprise »: the company (by SIREN) and all its active établissements, with the
 * portefeuille's declarations. One portefeuille per client and tiers (unique index, so a double
 * submission adds it once).
 */
export async function addClient(
  ctx: AppContext,
  admin: User,
  id: string,
  sirenInput: string,
  meta: Meta = {},
): Promise<{ siren: string; etablissements: number; mandat: MandatStatut }> {
  const parsed = parseSiren(sirenInput);
  if (!parsed.ok) throw refusal('invalid', 'siren_incorrect', parsed.message, 'siren');
  const siren: string = parsed.value;
  return ctx.db.transaction(async (tx) => {
    const p = await lockedPortefeuille(tx, admin.espaceId, id);
    await checkCompany(tx, admin, siren);
    await insertClient(tx, ctx, admin, p, siren);
    const added = await selectRows<{ siret: string }>(
      tx,
      sql`
      insert into portefeuille_etablissements (portefeuille_id, siret, siren)
      select ${p.id}::uuid, x.siret, x.siren from etablissements x where x.siren = ${siren} and x.etat_administratif = 'A'
      on conflict do nothing returning siret`,
    );
    const count = added.length;
    await grantDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), await declarationsOfPortefeuille(tx, p.id));
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.client_added', {
      details: { portefeuilleId: p.id, siren, etablissements: count },
    });
    const mandat = await requestMandat(tx, ctx, admin, siren, meta);
    return { siren, etablissements: count, mandat: mandat.statut };
  });
}

/** The company must be in the registry, active, and not the tiers' own. */
async function checkCompany(tx: Tx, admin: User, siren: string) {
  const [company] = await tx.select().from(entreprises).where(eq(entreprises.siren, siren));
  if (!company) throw refusal('invalid', 'siren_inconnu', 'Ce SIREN est inconnu du répertoire.', 'siren');
  if (company.etatAdministratif !== 'A')
    throw refusal(
      'invalid',
      'entreprise_cessee',
      'Cette entreprise est cessée : elle ne peut pas être ajoutée à un portefeuille.',
      'siren',
    );
  const [own] = await tx.select({ siren: espaces.siren }).from(espaces).where(eq(espaces.id, admin.espaceId));
  if (own?.siren === siren)
    throw refusal('invalid', 'propre_entreprise', 'Votre propre entreprise ne peut pas être cliente d’un de vos portefeuilles.', 'siren');
}

/** The client row; a company already client of one of the tiers' portefeuilles is refused (409), saying which. */
async function insertClient(tx: Tx, ctx: AppContext, admin: User, p: Portefeuille, siren: string) {
  const inserted = await tx
    .insert(portefeuilleClients)
    .values({ portefeuilleId: p.id, espaceId: admin.espaceId, siren, addedAt: ctx.clock.now() })
    .onConflictDoNothing()
    .returning({ siren: portefeuilleClients.siren });
  if (inserted.length > 0) return;
  const [where] = await tx
    .select({ id: portefeuilles.id, name: portefeuilles.name })
    .from(portefeuilleClients)
    .innerJoin(portefeuilles, eq(portefeuilles.id, portefeuilleClients.portefeuilleId))
    .where(and(eq(portefeuilleClients.espaceId, admin.espaceId), eq(portefeuilleClients.siren, siren)));
  if (where?.id === p.id)
    throw refusal('conflict', 'deja_dans_ce_portefeuille', 'Cette entreprise est déjà dans ce portefeuille.', 'siren');
  throw refusal(
    'conflict',
    'cliente_d_un_autre_portefeuille',
    `Cette entreprise est déjà cliente dans votre portefeuille « ${where?.name ?? ''} » : utilisez « Transférer » depuis ce portefeuille.`,
    'siren',
  );
}

/** « Choisir les établissements de l’entreprise »: new ones get the client's declarations, dropped ones lose theirs. */
export async function chooseEtablissements(ctx: AppContext, admin: User, id: string, siren: string, sirets: string[], meta: Meta = {}) {
  return ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin.espaceId, id, siren);
    const wanted = new Set(sirets);
    if (wanted.size === 0)
      throw refusal(
        'invalid',
        'etablissement_requis',
        'Choisissez au moins un établissement, ou retirez l’entreprise du portefeuille.',
        'sirets',
      );
    await checkActive(tx, siren, wanted);
    const current = new Set(
      (
        await tx
          .select({ siret: portefeuilleEtablissements.siret })
          .from(portefeuilleEtablissements)
          .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), eq(portefeuilleEtablissements.siren, siren)))
      ).map((r) => r.siret),
    );
    const added = [...wanted].filter((x) => !current.has(x));
    const removed = [...current].filter((x) => !wanted.has(x));
    if (removed.length) {
      await withdrawDeclarations(tx, ctx, admin, sqlValues(removed), null);
      await tx
        .delete(portefeuilleEtablissements)
        .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), inArray(portefeuilleEtablissements.siret, removed)));
    }
    if (added.length) {
      // The client's declarations: those on its remaining établissements, or the portefeuille's when none remain.
      const kept = wanted.size - added.length;
      const codes =
        kept > 0 ? [...(await declarationsOfClient(tx, admin.espaceId, p.id, siren)).keys()] : await declarationsOfPortefeuille(tx, p.id);
      await tx.insert(portefeuilleEtablissements).values(added.map((siret) => ({ portefeuilleId: p.id, siret, siren })));
      await grantDeclarations(
        tx,
        ctx,
        admin,
        sqlValues(added),
        codes.filter((c) => findDeclaration(c)),
      );
    }
    if (added.length || removed.length)
      await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.etablissements_changed', {
        details: { portefeuilleId: p.id, siren, added, removed },
      });
    return { added, removed };
  });
}

/** Every SIRET chosen must be an active établissement of the company. */
async function checkActive(tx: Tx, siren: string, wanted: ReadonlySet<string>) {
  const wrong = () =>
    refusal(
      'invalid',
      'etablissement_invalide',
      'Un des établissements choisis n’appartient pas à cette entreprise ou est fermé.',
      'sirets',
    );
  if (![...wanted].every((s) => /^\d{14}$/.test(s))) throw wrong();
  const active = await tx
    .select({ siret: etablissements.siret })
    .from(etablissements)
    .where(and(eq(etablissements.siren, siren), eq(etablissements.etatAdministratif, 'A'), inArray(etablissements.siret, [...wanted])));
  if (active.length !== wanted.size) throw wrong();
}

/** « Gérer les déclarations de l’entreprise »: which of the portefeuille's declarations apply to its établissements. */
export async function setClientDeclarations(ctx: AppContext, admin: User, id: string, siren: string, codes: string[], meta: Meta = {}) {
  return ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin.espaceId, id, siren);
    const allowed = new Set(await declarationsOfPortefeuille(tx, p.id));
    const wanted = [...new Set(codes)];
    if (!wanted.every((c) => allowed.has(c)))
      throw refusal(
        'invalid',
        'declaration_hors_portefeuille',
        'Seules les déclarations du portefeuille peuvent être choisies.',
        'declarations',
      );
    const notWanted = [...allowed].filter((c) => !wanted.includes(c));
    // Declarations outside the portefeuille's list (left over from an earlier list) also go.
    const present = await selectRows<{ code: string }>(
      tx,
      sql`select distinct ed.declaration_code as code from etablissement_declarations ed
      where ed.espace_id = ${admin.espaceId} and ed.siret in (${siretsOfClient(p.id, siren)})`,
    );
    const stale = present.map((r) => r.code).filter((c) => !allowed.has(c));
    const removing = [...notWanted, ...stale];
    await withdrawDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), removing);
    await grantDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), wanted);
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.declarations_changed', {
      details: { portefeuilleId: p.id, siren, declarations: wanted, removed: removing },
    });
    return { declarations: wanted };
  });
}

/** « Transférer l’entreprise » to another portefeuille of the same espace: the rows move in one transaction. */
export async function transferClient(ctx: AppContext, admin: User, id: string, siren: string, targetId: string, meta: Meta = {}) {
  return ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin.espaceId, id, siren);
    const target = await findPortefeuille(tx, admin.espaceId, targetId, { lock: true });
    if (!target) throw refusal('invalid', 'cible_inconnue', 'Choisissez un portefeuille de destination parmi les vôtres.', 'cible');
    if (target.id === p.id)
      throw refusal('invalid', 'meme_portefeuille', 'L’entreprise est déjà dans ce portefeuille : choisissez-en un autre.', 'cible');
    await tx
      .update(portefeuilleClients)
      .set({ portefeuilleId: target.id })
      .where(
        and(
          eq(portefeuilleClients.portefeuilleId, p.id),
          eq(portefeuilleClients.espaceId, admin.espaceId),
          eq(portefeuilleClients.siren, siren),
        ),
      );
    await tx
      .update(portefeuilleEtablissements)
      .set({ portefeuilleId: target.id })
      .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), eq(portefeuilleEtablissements.siren, siren)));
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.client_transferred', { details: { from: p.id, to: target.id, siren } });
    return { target };
  });
}

/** « Retirer »: the client leaves the portefeuille with its établissements, their declarations and habilitations. */
export async function removeClient(ctx: AppContext, admin: User, id: string, siren: string, meta: Meta = {}) {
  await ctx.db.transaction(async (tx) => {
    const { p } = await lockedClient(tx, admin.espaceId, id, siren);
    await withdrawDeclarations(tx, ctx, admin, siretsOfClient(p.id, siren), null);
    await tx
      .delete(portefeuilleEtablissements)
      .where(and(eq(portefeuilleEtablissements.portefeuilleId, p.id), eq(portefeuilleEtablissements.siren, siren)));
    await tx
      .delete(portefeuilleClients)
      .where(
        and(
          eq(portefeuilleClients.portefeuilleId, p.id),
          eq(portefeuilleClients.espaceId, admin.espaceId),
          eq(portefeuilleClients.siren, siren),
        ),
      );
    await auditBy(tx, ctx.clock, admin, meta.ip, 'portefeuille.client_removed', { details: { portefeuilleId: p.id, siren } });
    await withdrawMandat(tx, ctx, admin, siren, meta);
  });
}

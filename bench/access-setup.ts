/**
 * Data of the access benchmark, written with bulk inserts (drizzle multi-row inserts inside one
 * transaction, no HTTP): a generated registry, a tiers-déclarant espace (1 administrator + 20
 * déclarants), 3 portefeuilles holding 2,000 client companies (~6,000 active établissements, all
 * chosen), 3 declarations per portefeuille on every client établissement, habilitations of the
 * déclarants on the clients of their portefeuille (2 déclarants per client company).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../src/app-context.js';
import { findDeclaration } from '../src/domain/declarations.js';
import type { Tx } from '../src/infra/db/index.js';
import {
  espaces,
  etablissementDeclarations,
  habilitationHistory,
  habilitations,
  portefeuilleClients,
  portefeuilleDeclarants,
  portefeuilleDeclarations,
  portefeuilleEtablissements,
  portefeuilles,
  sessions,
  users,
} from '../src/infra/db/schema.js';
import { loginKey } from '../src/modules/accounts/login-key.js';
import { createSession } from '../src/modules/accounts/sessions.js';
import { DEMO_COMPANIES, generateDemoRegistry } from '../src/demo/registry.js';
import { importRegistryRows } from '../src/modules/entreprises/import-registry.js';

export const CLIENT_TARGET = 2000;
export const ETAB_TARGET = 6000;
export const DECLARANT_COUNT = 20;
/** clients per portefeuille: the first is the default one, big enough for a page 20 of 50 clients */
export const PORTEFEUILLE_SIZES = [1100, 600, 300] as const;
export const PORTEFEUILLE_CODES = [
  ['DSN', 'DPAE', 'SOLTEA_EMPLOYEURS'],
  ['DSN', 'DUCS', 'MCF_ELU'],
  ['DSN', 'PASRAU', 'SOLTEA_EMPLOYEURS'],
] as const;
/** déclarants 0–9 work on portefeuille 0, 10–15 on 1, 16–19 on 2 */
const portefeuilleOfDeclarant = (i: number) => (i < 10 ? 0 : i < 16 ? 1 : 2);
const TIERS = DEMO_COMPANIES.cabinetDurand;

export interface AccessData {
  espaceId: string;
  adminId: string;
  declarantIds: string[];
  portefeuilleIds: string[];
  clients: number;
  clientEtablissements: number;
  ownEtablissements: number;
  etablissementDeclarations: number;
  habilitations: number;
  registry: { entreprises: number; etablissements: number };
  setupMs: number;
}

async function insertChunked<T>(rows: readonly T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Picks ~2,000 active client companies totalling ~6,000 active établissements (deterministic). */
function pickClients(reg: ReturnType<typeof generateDemoRegistry>) {
  const active = new Map<string, string[]>();
  for (const e of reg.etablissements) if (e.etatAdministratif === 'A') active.set(e.siren, [...(active.get(e.siren) ?? []), e.siret]);
  const candidates = reg.entreprises
    .filter((e) => e.etatAdministratif === 'A' && !e.siren.startsWith('99900') && (active.get(e.siren)?.length ?? 0) > 0)
    .map((e) => ({ siren: e.siren, sirets: active.get(e.siren)!.sort() }));
  candidates.sort((a, b) => a.siren.localeCompare(b.siren));
  const multi = candidates.filter((c) => c.sirets.length >= 2 && c.sirets.length < 50);
  const networks = candidates
    .filter((c) => c.sirets.length >= 50)
    .sort((a, b) => a.sirets.length - b.sirets.length || a.siren.localeCompare(b.siren));
  const monos = candidates.filter((c) => c.sirets.length === 1);
  const picked = multi.slice(0, CLIENT_TARGET);
  let etabs = picked.reduce((n, c) => n + c.sirets.length, 0);
  // each network replaces a mono: +size−1 établissements
  let need = ETAB_TARGET - etabs - (CLIENT_TARGET - picked.length);
  for (const n of networks) {
    if (need <= 0 || picked.length >= CLIENT_TARGET) break;
    picked.push(n);
    need -= n.sirets.length - 1;
  }
  for (const m of monos) {
    if (picked.length >= CLIENT_TARGET) break;
    picked.push(m);
  }
  etabs = picked.reduce((n, c) => n + c.sirets.length, 0);
  if (picked.length < CLIENT_TARGET) throw new Error(`registry too small: ${picked.length} clients`);
  return picked.sort((a, b) => a.siren.localeCompare(b.siren));
}

export async function setupAccessData(ctx: AppContext, log: (s: string) => void): Promise<AccessData> {
  const t0 = performance.now();
  const now = ctx.clock.now();
  const reg = generateDemoRegistry({ count: 5000, seed: 1 });
  await importRegistryRows(ctx.db, reg, { now });
  log(
    `  registry: ${reg.entreprises.length} entreprises, ${reg.etablissements.length} établissements (${Math.round(performance.now() - t0)} ms)`,
  );

  const clients = pickClients(reg);
  const long = new Date(now.getTime() - 400 * 24 * 3_600_000);
  const passwordHash = 'bench-no-login'; // sessions are created directly, nobody logs in
  const out = await ctx.db.transaction(async (tx) => {
    const [espace] = await tx
      .insert(espaces)
      .values({
        siren: TIERS.siren,
        siret: TIERS.siret,
        kind: 'tiers_declarant',
        organisationType: 'expert_comptable',
        domains: ['dsn', 'formation'],
      })
      .returning({ id: espaces.id });
    const espaceId = espace!.id;
    const person = (i: number, role: string) => {
      const nom = i === 0 ? 'ADMINISTRATEUR' : `DECLARANT${String(i).padStart(2, '0')}`;
      const prenom = i === 0 ? 'Alice' : `Prenom${String.fromCharCode(64 + i)}`;
      return {
        espaceId,
        siret: TIERS.siret,
        nom,
        prenom,
        loginKey: loginKey(nom, prenom),
        email: `${nom.toLowerCase()}.${prenom.toLowerCase()}@cabinet-bench.example`,
        telephone: '01 23 45 67 89',
        role,
        status: 'active',
        passwordHash,
        emailValidatedAt: long,
        createdAt: long,
        updatedAt: long,
      };
    };
    const people = await tx
      .insert(users)
      .values([person(0, 'administrateur'), ...Array.from({ length: DECLARANT_COUNT }, (_, i) => person(i + 1, 'declarant'))])
      .returning({ id: users.id, role: users.role, nom: users.nom });
    const adminId = people.find((p) => p.role === 'administrateur')!.id;
    const declarantIds = people
      .filter((p) => p.role === 'declarant')
      .sort((a, b) => a.nom.localeCompare(b.nom))
      .map((p) => p.id);

    // the tiers' own company: its établissements with DSN and SOLTéA
    const ownEd = TIERS.sirets.flatMap((siret) =>
      ['DSN', 'SOLTEA_EMPLOYEURS'].map((declarationCode) => ({
        espaceId,
        siret,
        declarationCode,
        addedAt: long,
        accessibleAt: long,
        addedBy: adminId,
      })),
    );
    await tx.insert(etablissementDeclarations).values(ownEd);

    const pfs = await tx
      .insert(portefeuilles)
      .values(
        PORTEFEUILLE_SIZES.map((_, k) => ({
          espaceId,
          name: k === 0 ? 'Portefeuille par défaut' : `Portefeuille ${['', 'Nord', 'Sud'][k]}`,
          comment: '',
          isDefault: k === 0,
          createdAt: long,
        })),
      )
      .returning({ id: portefeuilles.id, isDefault: portefeuilles.isDefault, name: portefeuilles.name });
    pfs.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
    const portefeuilleIds = pfs.map((p) => p.id);
    await tx
      .insert(portefeuilleDeclarations)
      .values(
        portefeuilleIds.flatMap((portefeuilleId, k) =>
          PORTEFEUILLE_CODES[k]!.map((declarationCode) => ({ portefeuilleId, declarationCode, addedAt: long })),
        ),
      );
    await tx
      .insert(portefeuilleDeclarants)
      .values(declarantIds.map((userId, i) => ({ portefeuilleId: portefeuilleIds[portefeuilleOfDeclarant(i)]!, userId })));

    // clients spread over the portefeuilles (1,100 / 600 / 300), interleaved so networks land everywhere
    const slot = (i: number) => {
      const r = i % 20;
      return r < 11 ? 0 : r < 17 ? 1 : 2;
    };
    const pcRows: (typeof portefeuilleClients.$inferInsert)[] = [];
    const peRows: (typeof portefeuilleEtablissements.$inferInsert)[] = [];
    const edRows: (typeof etablissementDeclarations.$inferInsert)[] = [];
    const habRows: (typeof habilitations.$inferInsert)[] = [];
    const seenByPf = [0, 0, 0];
    clients.forEach((c, i) => {
      const k = slot(i);
      const portefeuilleId = portefeuilleIds[k]!;
      pcRows.push({ portefeuilleId, espaceId, siren: c.siren, addedAt: long });
      // 2 déclarants of the portefeuille per client company (round robin), the first one also pays
      const team = declarantIds.filter((_, d) => portefeuilleOfDeclarant(d) === k);
      const n = seenByPf[k]!++;
      const who = [team[n % team.length]!, team[(n + 1) % team.length]!];
      for (const siret of c.sirets) {
        peRows.push({ portefeuilleId, siret, siren: c.siren });
        for (const declarationCode of PORTEFEUILLE_CODES[k]!) {
          edRows.push({ espaceId, siret, declarationCode, addedAt: long, accessibleAt: long, addedBy: adminId });
          const payable = findDeclaration(declarationCode)!.payable;
          who.forEach((userId, w) =>
            habRows.push({
              userId,
              siret,
              declarationCode,
              declarer: true,
              payer: payable && w === 0,
              grantedAt: long,
              grantedBy: adminId,
            }),
          );
        }
      }
    });
    await insertChunked(pcRows, 1000, (ch) => tx.insert(portefeuilleClients).values(ch));
    await insertChunked(peRows, 1000, (ch) => tx.insert(portefeuilleEtablissements).values(ch));
    await insertChunked(edRows, 1000, (ch) => tx.insert(etablissementDeclarations).values(ch));
    await insertChunked(habRows, 1000, (ch) => tx.insert(habilitations).values(ch));
    await insertChunked(habRows, 1000, (ch) =>
      tx.insert(habilitationHistory).values(
        ch.map((h) => ({
          at: h.grantedAt,
          espaceId,
          actorUserId: adminId,
          userId: h.userId,
          siret: h.siret,
          declarationCode: h.declarationCode,
          declarer: h.declarer!,
          payer: h.payer!,
        })),
      ),
    );
    return {
      espaceId,
      adminId,
      declarantIds,
      portefeuilleIds,
      clients: pcRows.length,
      clientEtablissements: peRows.length,
      ownEtablissements: TIERS.sirets.length,
      etablissementDeclarations: edRows.length + ownEd.length,
      habilitations: habRows.length,
    };
  });
  await ctx.db.execute(sql`analyze`);
  const setupMs = performance.now() - t0;
  return { ...out, registry: { entreprises: reg.entreprises.length, etablissements: reg.etablissements.length }, setupMs };
}

/** A signed-in session of `userId` at the clock's current time: the cookie header and the CSRF token. */
export async function openSession(ctx: AppContext, userId: string): Promise<{ cookie: string; csrf: string }> {
  const id = await createSession(ctx.db as Tx, ctx, userId, { ip: '127.0.0.1', userAgent: 'bench/access' });
  const { sha256 } = await import('../src/infra/crypto.js');
  const rows = await ctx.db
    .select({ csrf: sessions.csrfToken })
    .from(sessions)
    .where(sql`${sessions.idHash} = ${sha256(id)}`);
  return { cookie: `__Host-sid=${id}`, csrf: rows[0]!.csrf };
}

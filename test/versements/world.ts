/**
 * A payments world written straight into the database: establishments of the referential (some
 * composantes of others, some closed, with or without verified bank details), employer envelopes (with
 * or without the collector's funds received), allocation lines, and two operator agents. The same
 * description drives the property tests, the state-machine tests and the crash test.
 */
import { sql, type SQL } from 'drizzle-orm';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { createRng } from '../../src/demo/rng.js';
import { selectRows, type Db } from '../../src/infra/db/index.js';
import type { AgentRef } from '../../src/modules/versements/preparation.js';

export const ANNEE = 2025;
/** 11 July 2025, 10:00 Paris: the day of wave 1 of 2025 (period 1) */
export const WAVE_1_DAY = new Date('2025-07-11T08:00:00Z');
/** 7 November 2025, 10:00 Paris: the day of wave 2 (period 2) */
export const WAVE_2_DAY = new Date('2025-11-07T08:00:00Z');
/** 27 November 2025, 10:00 Paris: the reliquat's day of 2025 */
export const RELIQUAT_DAY = new Date('2025-11-27T09:00:00Z');

export type BankState = 'verifiee' | 'en_attente' | null;

export interface EtablissementSpec {
  /** index of the parent establishment (a lower index), for a composante */
  parent?: number;
  bank: BankState;
  ferme?: boolean;
  region: string;
  /** RNCP codes of its formations (one formation per code) */
  formations?: string[];
}

export interface EmployeurSpec {
  /** the crédits à répartir; the collector owes the fund 1 € more, the operator's fee (reverse = crédits + fee) */
  creditsCents: bigint;
  /** the collector's funds: all received, part of them (not enough to pay), or none */
  funds: 'recus' | 'partiels' | 'aucun';
  /** INSEE code of the commune of the employer's SIRET in the registry (its region); none: not in the registry */
  commune?: string;
}

export interface LigneSpec {
  employeur: number;
  etablissement: number;
  bp: number;
  /** validated in this period, or only saved (null) */
  periode: 1 | 2 | null;
}

export interface WorldSpec {
  etablissements: EtablissementSpec[];
  employeurs: EmployeurSpec[];
  lignes: LigneSpec[];
}

export interface World {
  etablissementSirets: string[];
  etablissementIds: number[];
  employeurSirets: string[];
  /** allocation line ids, in the order of spec.lignes */
  ligneIds: number[];
  gestionnaire: AgentRef;
  valideur: AgentRef;
  /** a second gestionnaire and valideur (four-eyes tests) */
  gestionnaire2: AgentRef;
  valideur2: AgentRef;
}

/** `(a, b, c), (d, e, f)` as bound parameters. */
const rows = (values: readonly (readonly unknown[])[]): SQL =>
  sql.join(
    values.map(
      (r) =>
        sql`(${sql.join(
          r.map((v) => sql`${v}`),
          sql`, `,
        )})`,
    ),
    sql`, `,
  );

export const etablissementSiret = (i: number) => makeValidSiret(makeValidSiren(String(300_000_00 + i).padStart(8, '0')), '0001');
export const employeurSiret = (i: number) => makeValidSiret(makeValidSiren(String(500_000_00 + i).padStart(8, '0')), '0002');

async function insertAgents(db: Db, now: Date) {
  const agents = await selectRows<{ id: string; role: 'gestionnaire' | 'valideur' }>(
    db,
    sql`
    insert into agents (courriel, nom, prenom, role, statut, created_at)
    values ('g1@cdc.test', 'GESTION', 'Gaëlle', 'gestionnaire', 'actif', ${now}),
           ('v1@cdc.test', 'VALIDE', 'Victor', 'valideur', 'actif', ${now}),
           ('g2@cdc.test', 'GESTION', 'Gilles', 'gestionnaire', 'actif', ${now}),
           ('v2@cdc.test', 'VALIDE', 'Vanessa', 'valideur', 'actif', ${now})
    returning id::text, role`,
  );
  const [g1, v1, g2, v2] = agents.map((r) => ({ id: r.id, role: r.role }));
  return { gestionnaire: g1!, valideur: v1!, gestionnaire2: g2!, valideur2: v2! };
}

/** One formation per RNCP code of each establishment, its diploma shared by code. */
async function insertFormations(db: Db, spec: WorldSpec, etablissementIds: number[], now: Date) {
  for (const [i, e] of spec.etablissements.entries())
    for (const rncp of e.formations ?? []) {
      await db.execute(sql`
        insert into ref_diplomes (cle, intitule, intitule_recherche, rncp) values (${`rncp:${rncp}`}, ${`TITRE ${rncp}`}, ${`titre ${rncp.toLowerCase()}`}, ${rncp})
        on conflict (cle) do nothing`);
      await db.execute(sql`
        insert into ref_formations (annee, etablissement_id, diplome_id, updated_at)
        select ${ANNEE}, ${etablissementIds[i]}, id, ${now} from ref_diplomes where cle = ${`rncp:${rncp}`}`);
    }
}

/** Writes the world for campaign ANNEE; the lines are inserted in spec order (their ids increase). */
export async function seedWorld(db: Db, spec: WorldSpec, now = WAVE_1_DAY): Promise<World> {
  const etablissementSirets = spec.etablissements.map((_, i) => etablissementSiret(i));
  const employeurSirets = spec.employeurs.map((_, i) => employeurSiret(i));
  const etablissementIds: number[] = [];
  for (const [i, e] of spec.etablissements.entries()) {
    const parentId = e.parent === undefined ? null : etablissementIds[e.parent]!;
    const nom = `ETABLISSEMENT ${i}`;
    const [r] = await selectRows<{ id: number }>(
      db,
      sql`
      insert into ref_etablissements (annee, cle, siret, parent_id, nom, nom_recherche, categorie, liste, region, updated_at)
      values (${ANNEE}, ${etablissementSirets[i]}, ${etablissementSirets[i]}, ${parentId}, ${nom}, ${nom.toLowerCase()}, '1°', 'prefectorale', ${e.region}, ${now})
      returning id`,
    );
    etablissementIds.push(Number(r!.id));
    if (e.bank)
      await db.execute(sql`
        insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, created_at, verifiee_le)
        values (${etablissementSirets[i]}, ${makeValidFrenchIban('30004', '00001', String(i).padStart(11, '0'))}, 'BNPAFRPPXXX', ${nom},
                ${e.bank}, ${now}, ${e.bank === 'verifiee' ? now : null})`);
    if (e.ferme) {
      const siren = etablissementSirets[i]!.slice(0, 9);
      await db.execute(sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siren}, ${nom}, 'C')`);
      await db.execute(
        sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${etablissementSirets[i]}, ${siren}, ${nom}, 'F')`,
      );
    }
  }
  await insertFormations(db, spec, etablissementIds, now);
  for (const [i, e] of spec.employeurs.entries())
    if (e.commune) {
      const siren = employeurSirets[i]!.slice(0, 9);
      await db.execute(
        sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siren}, ${`EMPLOYEUR ${i}`}, 'A')`,
      );
      await db.execute(sql`insert into etablissements (siret, siren, denomination, code_commune, etat_administratif)
                           values (${employeurSirets[i]}, ${siren}, ${`EMPLOYEUR ${i}`}, ${e.commune}, 'A')`);
    }
  if (spec.employeurs.length) {
    await db.execute(sql`
      insert into enveloppes (annee, siret, collecteur, solde_cents, credits_cents, reverse_cents, frais_cents, frais_operateur_cents, updated_at)
      values ${rows(spec.employeurs.map((e, i) => [ANNEE, employeurSirets[i], 'URSSAF', e.creditsCents + 100n, e.creditsCents, e.creditsCents + 100n, 100n, 100n, now]))}`);
    const received = spec.employeurs.flatMap((e, i) =>
      e.funds === 'aucun'
        ? []
        : [
            [
              ANNEE,
              employeurSirets[i],
              'URSSAF',
              e.funds === 'recus' ? e.creditsCents + 100n : e.creditsCents / 2n,
              '2025-06-30',
              'test.csv',
              `${employeurSirets[i]}:URSSAF:2025-06-30`,
              now,
            ],
          ],
    );
    if (received.length)
      await db.execute(sql`
        insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
        values ${rows(received)}`);
  }
  const ligneIds: number[] = [];
  for (const l of spec.lignes) {
    const [r] = await selectRows<{ id: number }>(
      db,
      sql`
      insert into attributions (annee, siret_employeur, etablissement_id, points_base, statut, validee_le, valide_periode, updated_at)
      values (${ANNEE}, ${employeurSirets[l.employeur]}, ${etablissementIds[l.etablissement]}, ${l.bp},
              ${l.periode === null ? 'enregistree' : 'validee'}, ${l.periode === null ? null : now}, ${l.periode}, ${now})
      returning id`,
    );
    ligneIds.push(Number(r!.id));
  }
  return { etablissementSirets, etablissementIds, employeurSirets, ligneIds, ...(await insertAgents(db, now)) };
}

/**
 * An active administrator (validated address) of the company of `siret`, habilitated to `declaration` on
 * it: who is told of unpayable shares (employer) or reminded of bank details (establishment).
 */
export async function addAdministrator(db: Db, siret: string, email: string, declaration = 'SOLTEA_EMPLOYEURS'): Promise<string> {
  const siren = siret.slice(0, 9);
  await db.execute(
    sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siren}, ${`SOCIETE ${siren}`}, 'A') on conflict do nothing`,
  );
  await db.execute(
    sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${siret}, ${siren}, ${`SOCIETE ${siren}`}, 'A') on conflict do nothing`,
  );
  const [espace] = await selectRows<{ id: string }>(
    db,
    sql`insert into espaces (siren, siret, kind, organisation_type) values (${siren}, ${siret}, 'entreprise', 'entreprise')
        on conflict (siren) do update set siret = espaces.siret returning id::text`,
  );
  const [user] = await selectRows<{ id: string }>(
    db,
    sql`insert into users (espace_id, siret, nom, prenom, login_key, email, role, status, email_validated_at)
        values (${espace!.id}::uuid, ${siret}, 'ADMIN', ${email}, ${`ADMIN|${email}`}, ${email}, 'administrateur', 'active', now())
        returning id::text`,
  );
  await db.execute(
    sql`insert into habilitations (user_id, siret, declaration_code, declarer, payer, granted_at) values (${user!.id}::uuid, ${siret}, ${declaration}, true, true, now())`,
  );
  return user!.id;
}

/** The world of the bank returns and re-designation tests (retours.test.ts, redesignation.test.ts). */
export const RETOURS_SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' }, // 0 paid, its transfer accepted
    { bank: 'verifiee', region: '84' }, // 1 its transfer rejected AC04 (pain.002)
    { bank: 'verifiee', region: '11' }, // 2 its transfer returned MD07 (camt.054)
    { bank: null, region: '84' }, // 3 no bank details
    { bank: 'verifiee', region: '84' }, // 4 no line: where a share is re-designated
  ],
  employeurs: [
    { creditsCents: 100_000n, funds: 'recus' },
    { creditsCents: 50_000n, funds: 'recus' },
  ],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 }, // 0: 50 000
    { employeur: 0, etablissement: 1, bp: 3000, periode: 1 }, // 1: 30 000
    { employeur: 0, etablissement: 3, bp: 2000, periode: 1 }, // 2: 20 000, unpayable (no details)
    { employeur: 1, etablissement: 1, bp: 5000, periode: 1 }, // 3: 25 000
    { employeur: 1, etablissement: 2, bp: 5000, periode: 1 }, // 4: 25 000
  ],
};

/**
 * A larger world drawn from `seed` (crash test, benchmarks of the tests' scale): `etablissements`
 * establishments (one in ten a composante of the one before, about 80 % with verified bank details,
 * 10 % pending, 10 % none, 3 % closed), `employeurs` envelopes (85 % funds received, 10 % partial, 5 %
 * none) of 3 to 6 lines each to distinct establishments, at most 100 % per employer, validated in period
 * 1 (60 %), period 2 (30 %) or only saved.
 */
export function generatedWorldSpec(seed: number, etablissements: number, employeurs: number): WorldSpec {
  const rng = createRng(seed);
  const etabs: EtablissementSpec[] = Array.from({ length: etablissements }, (_, i) => ({
    bank: rng.weighted<'verifiee' | 'en_attente' | 'aucune'>([
      ['verifiee', 80],
      ['en_attente', 10],
      ['aucune', 10],
    ]),
    ferme: rng.chance(0.03),
    region: rng.pick(['84', '11', '93', '76']),
    i,
  })).map(({ bank, ferme, region, i }) => ({
    bank: bank === 'aucune' ? null : bank,
    region,
    ...(ferme ? { ferme } : {}),
    ...(i % 10 === 9 ? { parent: i - 1 } : {}),
  }));
  const emps: EmployeurSpec[] = Array.from({ length: employeurs }, () => ({
    creditsCents: BigInt(rng.between(1_000, 5_000_000)),
    funds: rng.weighted<EmployeurSpec['funds']>([
      ['recus', 85],
      ['partiels', 10],
      ['aucun', 5],
    ]),
  }));
  const lignes: LigneSpec[] = [];
  emps.forEach((_, employeur) => {
    const n = rng.between(3, 6);
    const first = rng.int(etablissements);
    let left = 10_000;
    for (let k = 0; k < n && k < etablissements; k++) {
      const bp = rng.between(1, Math.min(left, 3_000));
      left -= bp;
      const periode = rng.weighted<'1' | '2' | 'aucune'>([
        ['1', 60],
        ['2', 30],
        ['aucune', 10],
      ]);
      lignes.push({
        employeur,
        etablissement: (first + k * 7) % etablissements,
        bp,
        periode: periode === 'aucune' ? null : (Number(periode) as 1 | 2),
      });
      if (left === 0) break;
    }
  });
  return { etablissements: etabs, employeurs: emps, lignes };
}

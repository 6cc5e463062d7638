/**
 * The reliquat on a small world computed by hand (docs/regles.md#reliquat, R. 6241-28): what each
 * region's employers left (unallocated crédits, an unpaid share not re-designated), the 40 / 60 split, the
 * regional part region by region in equal amounts, the national part per formation en tension, what stays
 * in the fund and why; the simulation writes nothing; the computation prepares the reliquat's wave, which
 * goes through the usual approval and issue (SEPA file valid against both XSDs); every refusal in French.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { importMetiersEnTension } from '../../src/modules/versements/metiers-en-tension.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { computeReliquat, simulateReliquat } from '../../src/modules/versements/reliquat.js';
import { formatReliquat, reliquatCsv } from '../../src/modules/versements/reliquat-cli.js';
import { approveWave, cancelWave, issueWave } from '../../src/modules/versements/vagues.js';
import { paymentsContext, waveFile, type PaymentsContext } from './context.js';
import { expectValidPain001, values } from './helpers.js';
import { ANNEE, RELIQUAT_DAY, seedWorld, WAVE_1_DAY, type World, type WorldSpec } from './world.js';

const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84', formations: ['RNCP35830', 'RNCP99999'] }, // 0: one formation en tension of 84
    { bank: null, region: '84', parent: 0, formations: ['RNCP35830'] }, // 1: a composante's formation counts for 0
    { bank: null, region: '84', formations: ['RNCP35830'] }, // 2: no bank details
    { bank: 'verifiee', region: '11', formations: ['RNCP37873'] }, // 3: en tension in 11
    { bank: 'verifiee', region: '11', formations: ['RNCP35830'] }, // 4: RNCP35830 is not en tension in 11
    { bank: 'verifiee', region: '11', ferme: true }, // 5: closed
  ],
  employeurs: [
    { creditsCents: 100_000n, funds: 'recus', commune: '69123' }, // Lyon: 84
    { creditsCents: 33_333n, funds: 'recus', commune: '75056' }, // Paris: 11
    { creditsCents: 50_000n, funds: 'aucun' }, // not in the registry: region unknown
    { creditsCents: 20_001n, funds: 'recus', commune: '13055' }, // Marseille: 93, no establishment there
  ],
  lignes: [
    { employeur: 0, etablissement: 3, bp: 6000, periode: 1 },
    { employeur: 0, etablissement: 4, bp: 1000, periode: null },
    { employeur: 0, etablissement: 2, bp: 1000, periode: 1 },
    { employeur: 1, etablissement: 0, bp: 3333, periode: 1 },
    { employeur: 1, etablissement: 3, bp: 3333, periode: null },
    { employeur: 3, etablissement: 0, bp: 2500, periode: 1 },
    { employeur: 3, etablissement: 3, bp: 2500, periode: 1 },
  ],
};

const METIERS = `region;metier;rncp
84;Aide-soignant;RNCP35830
Île-de-France;Électricien;"RNCP37873 | RNCP 37874"
`;

const dir = mkdtempSync(join(tmpdir(), 'metiers-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

let p: PaymentsContext;
let w: World;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  w = await seedWorld(p.ctx.db, SPEC);
}, 60_000);
afterAll(() => p?.drop());

async function issue(numero: number) {
  const r = await prepareWave(p.ctx, w.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  expect((await approveWave(p.ctx, w.valideur, r.vagueId)).ok).toBe(true);
  expect((await issueWave(p.ctx, w.valideur, r.vagueId)).ok).toBe(true);
}
const message = (r: { ok: boolean; problem?: { message: string } }) => (r.ok ? 'ok' : r.problem!.message);
const count = async (table: string) =>
  (await selectRows<{ n: number }>(p.ctx.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0]!.n;

describe('the reliquat, step by step', () => {
  it('refuses to simulate or compute without métiers en tension, and to compute before its date', async () => {
    await issue(1);
    expect(message(await simulateReliquat(p.ctx, ANNEE))).toBe(
      'Aucun métier en tension n’est importé pour 2025 : importez la liste de chaque région (import-metiers-en-tension) avant de répartir le reliquat.',
    );
    const r = await importMetiersEnTension(p.ctx.db, ANNEE, file('metiers.csv', METIERS), { now: WAVE_1_DAY });
    expect(r).toMatchObject({ regions: 2, metiers: 2, codes: 3, rejected: [], unknownRncp: ['RNCP37874'] });
    expect(message(await computeReliquat(p.ctx, w.gestionnaire, ANNEE))).toBe(
      'Le reliquat 2025 ne peut être calculé qu’à partir du 27 novembre 2025, la date fixée par le calendrier ; d’ici là, seule la simulation est possible.',
    );
  });

  it('simulates at any time, by hand to the cent, and writes nothing', async () => {
    const s = await simulateReliquat(p.ctx, ANNEE);
    if (!s.ok) throw new Error(s.problem.message);
    const r = s.reliquat;
    // left: employer 0 100 000 − (60 000 + 10 000) validated = 30 000, and its unpaid 10 000 (etablissement 2);
    // employer 1: 33 333 × 33,33 % twice = 11 109,89 each, the tie's cent to the first (validated) line: 33 333 − 11 110
    // employer 2: 50 000 (no region); employer 3: 20 001 − ⌊20 001 × 50 %⌋ = 10 001
    expect(r.regions.map((g) => [g.region, g.nonAttribueCents, g.nonVersableCents, g.partCents, g.etablissements])).toEqual([
      ['11', 22_223n, 0n, 8_889n, 3],
      ['84', 30_000n, 10_000n, 16_000n, 2],
      ['93', 10_001n, 0n, 4_001n, 0],
      [null, 50_000n, 0n, 20_000n, 0],
    ]);
    // pool 122 224: 40 % = 48 889,6 and 60 % = 73 334,4 → the cent to the regional part
    expect([r.poolCents, r.regionaleCents, r.nationaleCents, r.formations]).toEqual([122_224n, 48_890n, 73_334n, 4]);
    // 84: 16 000 / 2; 11: 8 889 / 3; national 73 334 / 4 = 18 333 rest 2 → etablissement 0's two formations
    const e = w.etablissementSirets;
    expect(r.shares.map((x) => [x.siret, x.regionaleCents, x.nationaleCents, x.formations, x.motif])).toEqual([
      [e[0], 8_000n, 36_668n, 2, null],
      [e[2], 8_000n, 18_333n, 1, 'sans_coordonnees'],
      [e[3], 2_963n, 18_333n, 1, null],
      [e[4], 2_963n, 0n, 0, null],
      [e[5], 2_963n, 0n, 0, 'etablissement_ferme'],
    ]);
    expect(r.reports).toEqual([
      { motif: 'region_inconnue', cents: 20_000n },
      { motif: 'region_sans_etablissement', cents: 4_001n },
      { motif: 'sans_coordonnees', cents: 26_333n },
      { motif: 'etablissement_ferme', cents: 2_963n },
    ]);
    expect([r.verseCents, r.reporteCents, r.verseCents + r.reporteCents]).toEqual([68_927n, 53_297n, 122_224n]);
    expect([await count('reliquat_parts'), await count('reliquats')]).toEqual([0, 0]);
    // what `reliquat-simulation` prints, and its CSV
    const printed = formatReliquat(r, WAVE_1_DAY);
    expect(printed.slice(1, 3)).toEqual([
      'Fonds à répartir : 1 222,24 € (crédits non attribués 1 122,24 €, parts non versables non re-désignées 100,00 €)',
      'Part régionale (40 %) : 488,90 € ; part nationale (60 %) : 733,34 € pour 4 formation(s) menant à un métier en tension',
    ]);
    expect(printed).toContain('  84 Auvergne-Rhône-Alpes : 400,00 € → 160,00 €, 2 établissement(s)');
    expect(printed).toContain('  Région inconnue : 500,00 € → 200,00 €, 0 établissement(s)');
    expect(printed.slice(-6)).toEqual([
      'Établissements payés : 3, 689,27 €',
      'Reste au fonds pour l’année suivante (R. 6241-28-1) : 532,97 €',
      '  employeurs dont la région est inconnue : 200,00 €',
      '  région sans établissement habilité : 40,01 €',
      '  établissement sans coordonnées bancaires : 263,33 €',
      '  établissement fermé : 29,63 €',
    ]);
    expect(reliquatCsv(r).split('\r\n').slice(0, 3)).toEqual([
      '\uFEFFsiret;nom;region;part_regionale;part_nationale;formations_en_tension;total;versable;motif',
      `${e[0]};ETABLISSEMENT 0;84;80,00;366,68;2;446,68;oui;`,
      `${e[2]};ETABLISSEMENT 2;84;80,00;183,33;1;263,33;non;établissement sans coordonnées bancaires`,
    ]);
  });

  it('is computed only once every wave of the calendar is issued, and by a gestionnaire', async () => {
    p.clock.set(RELIQUAT_DAY);
    expect(message(await computeReliquat(p.ctx, w.gestionnaire, ANNEE))).toBe(
      'Le reliquat se calcule après les versements de la campagne : la vague n° 2 n’est pas émise.',
    );
    const wave2 = await prepareWave(p.ctx, w.gestionnaire, ANNEE, 2);
    expect(wave2.ok && wave2.nbVirements).toBe(0);
    expect(message(await computeReliquat(p.ctx, w.gestionnaire, ANNEE))).toBe(
      'La vague n° 2 est en cours (preparee) : émettez-la ou annulez-la d’abord.',
    );
    if (wave2.ok) {
      expect((await approveWave(p.ctx, w.valideur, wave2.vagueId)).ok).toBe(true);
      expect((await issueWave(p.ctx, w.valideur, wave2.vagueId)).ok).toBe(true);
    }
    expect(message(await computeReliquat(p.ctx, w.valideur, ANNEE))).toBe('Le calcul du reliquat est réservé aux gestionnaires.');
  });

  it('computes the shares, keeps what stays in the fund, and prepares the reliquat’s wave; twice is refused', async () => {
    const c = await computeReliquat(p.ctx, w.gestionnaire, ANNEE);
    if (!c.ok) throw new Error(c.problem.message);
    expect([c.nbVirements, c.totalCents, c.reliquat.verseCents]).toEqual([3, 68_927n, 68_927n]);
    const e = w.etablissementSirets;
    const t = await selectRows<{ siret: string; cents: string; numero: number; libelle: string }>(
      p.ctx.db,
      sql`select beneficiaire_siret as siret, montant_cents::text as cents, numero, libelle from virements where vague_id = ${c.vagueId} order by numero`,
    );
    // wave 1 issued transfers 1 and 2; wave 2 had none
    expect(t.map((x) => [x.siret, x.cents, x.numero])).toEqual([
      [e[0], '44668', 3],
      [e[3], '21296', 4],
      [e[4], '2963', 5],
    ]);
    expect(t[0]!.libelle).toBe(`TAXE- APPRENTISSAGE - ${e[0]} - 2025 - 3`);
    const parts = await selectRows<{ siret: string; motif: string | null }>(
      p.ctx.db,
      sql`select siret, motif from reliquat_parts order by siret`,
    );
    expect(parts.map((x) => x.motif)).toEqual([null, 'sans_coordonnees', null, null, 'etablissement_ferme']);
    const [summary] = await selectRows<{ pool: string; reporte: string; verse: string }>(
      p.ctx.db,
      sql`select pool_cents::text as pool, reporte_cents::text as reporte, verse_cents::text as verse from reliquats where annee = ${ANNEE}`,
    );
    expect(summary).toEqual({ pool: '122224', reporte: '53297', verse: '68927' });
    const nv = await selectRows<{ statut: string }>(p.ctx.db, sql`select statut from non_versables order by id`);
    expect(nv.map((x) => x.statut)).toEqual(['remplacee', 'reliquat']);
    expect(message(await computeReliquat(p.ctx, w.gestionnaire, ANNEE))).toBe(
      'Le reliquat 2025 est déjà calculé (sa vague est préparée) : annulez sa vague pour le calculer à nouveau.',
    );
    const again = await importMetiersEnTension(p.ctx.db, ANNEE, file('metiers-2.csv', METIERS), { now: RELIQUAT_DAY });
    expect(again.rejected.map((x) => x.message)).toEqual([
      'Le reliquat 2025 est déjà calculé : sa liste de métiers en tension ne peut plus changer.',
    ]);
    // cancelled, it is computed again, identical (the unpaid share already marked still counts)
    expect((await cancelWave(p.ctx, w.gestionnaire, c.vagueId)).ok).toBe(true);
    const recomputed = await computeReliquat(p.ctx, w.gestionnaire, ANNEE);
    if (!recomputed.ok) throw new Error(recomputed.problem.message);
    expect([recomputed.reliquat.poolCents, recomputed.totalCents, recomputed.nbVirements]).toEqual([122_224n, 68_927n, 3]);
    expect(await count('reliquat_parts')).toBe(5);
  });

  it('its wave is approved by another agent and issued like any wave: a valid SEPA file, exact control sum', async () => {
    const [wave] = await selectRows<{ id: number }>(
      p.ctx.db,
      sql`select id from vagues_versement where annee = ${ANNEE} and numero = 0 and statut = 'preparee'`,
    );
    expect((await approveWave(p.ctx, { id: w.gestionnaire.id, role: 'valideur' }, wave!.id)).ok).toBe(false);
    expect((await approveWave(p.ctx, w.valideur2, wave!.id)).ok).toBe(true);
    const issued = await issueWave(p.ctx, w.valideur2, wave!.id);
    if (!issued.ok) throw new Error(issued.problem.message);
    expect(issued.wave.fichierNom).toBe(`soltea-2025-reliquat-SOLTEA-2025-R-${wave!.id}.xml`);
    const f = await waveFile(p.ctx, issued.wave);
    await expectValidPain001(f.xml);
    expect(values(f.xml, 'CtrlSum')).toEqual(['689.27', '689.27']);
    expect(f.sha256).toBe(issued.wave.fichierSha256);
  });
});

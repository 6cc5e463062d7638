/**
 * `npx tsx bench/sepa.ts`: the SEPA file step of a payment wave (target of the payments issue: 12,000
 * transfers in under 10 s and under 300 MB for the whole step). Not a timed test: it prints times and
 * memory, and whether the target is met.
 *
 *   npx tsx bench/sepa.ts                                 # 12,000 transfers, then 120,000 (flat memory)
 *   BENCH_SEPA_TRANSFERS=50000 BENCH_SEPA_SCALE=1 npx tsx bench/sepa.ts
 *
 * Environment: BENCH_SEPA_TRANSFERS (12,000), BENCH_SEPA_SCALE (10: a second size, that many times
 * larger, to show that memory does not grow with the number of transfers; 1 = one size only),
 * BENCH_REPEAT (3 runs per size; medians), BENCH_SEPA_VALIDATE (1: validate the first size's file
 * against both XSDs afterwards, in memory, timed apart; 0 = skip).
 *
 * Per run: the transfers come from a lazy generator (names with accents and guillemets, valid IBANs,
 * amounts from 0.01 € to 50,000 €), as rows read from the database in batches would; their count and
 * sum are computed first in a separate pass (what one SQL statement does); `writePain001To` streams
 * the file to disk with its SHA-256. Heap and RSS are sampled every 500 transfers; the process's
 * peak RSS (`maxRSS`) is printed at the end, the run of the larger size included.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../src/demo/rng.js';
import { makeValidFrenchIban } from '../src/domain/iban.js';
import { makeValidSiren, makeValidSiret } from '../src/domain/identifiers.js';
import { writePain001To, type EnTetePain001, type VirementSepa } from '../src/modules/versements/sepa-pain001.js';
import { virementLabel } from '../src/domain/versements.js';
import { validatePain001 } from '../src/modules/versements/sepa-validation.js';
import { intEnv, median } from './stats.js';

const N = intEnv('BENCH_SEPA_TRANSFERS', 12_000, 1, 10_000_000);
const SCALE = intEnv('BENCH_SEPA_SCALE', 10, 1, 100);
const REPEAT = intEnv('BENCH_REPEAT', 3, 1, 20);
const VALIDATE = process.env.BENCH_SEPA_VALIDATE !== '0';
const TARGET_S = 10;
const TARGET_MB = 300;

const mb = (b: number) => Math.round(b / 1024 / 1024);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

const NOMS = [
  'Lycée professionnel',
  'CFA « Les Compagnons du Tour de France »',
  'Université',
  'École supérieure d’ingénieurs',
  'Œuvre des apprentis',
];
const VILLES = ['Saint-Étienne', 'Besançon', 'Orléans', 'Nîmes', 'Châlons-en-Champagne', 'Pointe-à-Pitre'];

/** The wave's transfers, the same on every call (a seeded generator). */
function* transfers(n: number): Generator<VirementSepa> {
  const rng = createRng(20260630);
  for (let i = 1; i <= n; i++) {
    const id = `V2026-1-${String(i).padStart(7, '0')}`;
    const siren = makeValidSiren(String(100_000_000 + i).slice(1, 9));
    const siret = makeValidSiret(siren, String(i % 10_000).padStart(4, '0'));
    yield {
      id,
      montantCentimes: BigInt(rng.between(1, 5_000_000)),
      nom: `${rng.pick(NOMS)} de ${rng.pick(VILLES)} n° ${i}`,
      iban: makeValidFrenchIban(String(10_000 + rng.int(90_000)), String(rng.int(100_000)).padStart(5, '0'), String(i).padStart(11, '0')),
      bic: rng.chance(0.9) ? 'BNPAFRPPXXX' : null,
      libelle: virementLabel(siret, 2026, id),
    };
  }
}

interface Run {
  ms: number;
  octets: number;
  peakHeapMb: number;
  peakRssMb: number;
  sha256: string;
}

async function run(n: number, path: string): Promise<Run> {
  let count = 0;
  let total = 0n;
  for (const v of transfers(n)) {
    count += 1;
    total += v.montantCentimes;
  }
  const h: EnTetePain001 = {
    messageId: 'SOLTEA-2026-V1',
    lotId: 'SOLTEA-2026-V1-L1',
    creeLe: new Date('2026-06-15T08:00:00Z'),
    dateExecution: '2026-06-30',
    donneurOrdre: {
      nom: 'Caisse des Dépôts et Consignations',
      iban: makeValidFrenchIban('40031', '00001', '0000123456X'),
      bic: 'CDCGFRPPXXX',
    },
    nombreVirements: count,
    totalCentimes: total,
  };
  let peakHeap = 0;
  let peakRss = 0;
  function* sampled(): Generator<VirementSepa> {
    let i = 0;
    for (const v of transfers(n)) {
      if (++i % 500 === 0) {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed);
        peakRss = Math.max(peakRss, m.rss);
      }
      yield v;
    }
  }
  const start = performance.now();
  const r = await writePain001To(createWriteStream(path), h, sampled());
  const ms = performance.now() - start;
  return { ms, octets: r.octets, peakHeapMb: mb(peakHeap), peakRssMb: mb(peakRss), sha256: r.sha256 };
}

async function main() {
  console.log(`RSS before the first run (node, tsx, the modules loaded): ${mb(process.memoryUsage().rss)} MB`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-sepa-'));
  const sizes = SCALE > 1 ? [N, N * SCALE] : [N];
  const rows: string[] = [];
  let firstFile = '';
  try {
    for (const n of sizes) {
      const runs: Run[] = [];
      const path = join(dir, `vague-${n}.xml`);
      for (let k = 0; k < REPEAT; k++) runs.push(await run(n, path));
      if (new Set(runs.map((r) => r.sha256)).size !== 1) throw new Error('the same wave gave different bytes');
      if (!firstFile) firstFile = path;
      const ms = median(runs.map((r) => r.ms));
      rows.push(
        `| ${n.toLocaleString('en')} | ${(ms / 1000).toFixed(2)} s | ${Math.round((n / ms) * 1000).toLocaleString('en')} | ` +
          `${(statSync(path).size / 1024 / 1024).toFixed(1)} MB | ${Math.max(...runs.map((r) => r.peakHeapMb))} MB | ` +
          `${Math.max(...runs.map((r) => r.peakRssMb))} MB | ${runs[0]?.sha256.slice(0, 12)}… |`,
      );
      if (n === N) {
        const ok = ms / 1000 < TARGET_S && peakRssMb() < TARGET_MB;
        console.log(`${n} transfers: ${(ms / 1000).toFixed(2)} s, peak RSS so far ${peakRssMb()} MB → target ${ok ? 'met' : 'NOT met'}`);
      }
    }
    console.log(`\n| transfers | time (median of ${REPEAT}) | transfers/s | file | peak heap | peak RSS (sampled) | SHA-256 |`);
    console.log('|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rows) console.log(r);
    console.log(`\nprocess peak RSS (maxRSS, every run): ${peakRssMb()} MB; target: ${N} transfers < ${TARGET_S} s and < ${TARGET_MB} MB`);
    if (VALIDATE) {
      const xml = readFileSync(firstFile);
      const start = performance.now();
      const v = await validatePain001(xml);
      const s = ((performance.now() - start) / 1000).toFixed(1);
      const errors = v.checks.flatMap((c) => c.errors).slice(0, 5);
      console.log(
        `validation of the ${N}-transfer file against both XSDs (in memory, apart): ${v.valid ? 'valid' : 'INVALID'} in ${s} s, ` +
          `process peak RSS now ${peakRssMb()} MB`,
      );
      for (const e of errors) console.log(`  ${e}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

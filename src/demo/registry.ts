/**
 * Deterministic demo registry: fictitious companies for the demo and the browser tests.
 *
 * - Every SIREN starts with `999` (fixed companies 99900xxxx, generated ones 9991xxxxx–9999xxxxx):
 *   a range the INSEE has not allocated, so a demo SIRET never looks like a real company's.
 *   SIRENs and SIRETs pass their check digit (`makeValidSiren` / `makeValidSiret`).
 * - Names are made up from word lists; addresses are made-up streets in real communes
 *   (`seed/communes.csv`, communes of 2,000 inhabitants or more).
 * - Most companies have 1–3 establishments, a few « réseaux » 50–300; about 3 % of the
 *   establishments are closed and about 1 % of the companies have ceased.
 * - Same `seed` and `count` → exactly the same rows (seeded PRNG, no Math.random, no clock).
 *
 * The fixed companies are in demo-companies.ts, names and addresses in registry-naming.ts (word lists
 * in registry-words.ts); this file generates the others.
 */
import { makeValidSiren, makeValidSiret } from '../domain/identifiers.js';
import type { EntrepriseRow, EtablissementRow } from '../modules/entreprises/registry-format.js';
import { addFixedCompanies, DEMO_COMPANIES } from './demo-companies.js';
import { address, etablissementCount, nameCompany } from './registry-naming.js';
import { CATEGORIES, type Categorie } from './registry-words.js';
import { createRng } from './rng.js';
import { loadSeedCommunes, type CommuneRef } from './seed-communes.js';

export { DEMO_COMPANIES } from './demo-companies.js';
export { createRng, type Rng } from './rng.js';
export { libelleCommuneSirene, loadSeedCommunes, SEED_COMMUNES_CSV, type CommuneRef } from './seed-communes.js';

/** Default size of the demo: 6,000 companies, about 11,500 establishments. */
export const DEMO_DEFAULT_COUNT = 6000;
export const DEMO_DEFAULT_SEED = 20260504;

export interface DemoRegistry {
  entreprises: EntrepriseRow[];
  etablissements: EtablissementRow[];
}

export interface DemoRegistryOptions {
  /** number of generated companies (fixed demo companies come on top); default {@link DEMO_DEFAULT_COUNT} */
  count?: number;
  seed?: number;
  /** defaults to `seed/communes.csv` */
  communes?: readonly CommuneRef[];
}

/** Generated SIRENs: 9991xxxxx … 9999xxxxx, at most this many companies. */
export const DEMO_MAX_COUNT = 90_000;

export function generateDemoRegistry(opts: DemoRegistryOptions = {}): DemoRegistry {
  const count = opts.count ?? DEMO_DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 0 || count > DEMO_MAX_COUNT) {
    throw new Error(`generateDemoRegistry: count must be an integer in [0, ${DEMO_MAX_COUNT}]`);
  }
  const rng = createRng(opts.seed ?? DEMO_DEFAULT_SEED);
  const communes = opts.communes ?? loadSeedCommunes();
  const byDep = new Map<string, CommuneRef[]>();
  for (const c of communes) {
    const list = byDep.get(c.inseeDep);
    if (list) list.push(c);
    else byDep.set(c.inseeDep, [c]);
  }
  const deps = [...byDep.keys()];

  const out: DemoRegistry = { entreprises: [], etablissements: [] };
  addFixedCompanies(out, rng, communes, byDep);
  const reservedNames = new Set<string>(Object.values(DEMO_COMPANIES).map((c) => c.raisonSociale));
  const communesWithMairie = new Set<string>();

  // a few « réseaux » of 50–300 establishments, at positions chosen by the PRNG
  const networkCount = count === 0 ? 0 : Math.max(1, Math.round(count / 500));
  const networks = new Set<number>();
  while (networks.size < Math.min(networkCount, count)) networks.add(rng.int(count));

  for (let i = 0; i < count; i++) {
    // 7919 is prime to 90,000: a bijection that spreads SIRENs over the range
    const siren = makeValidSiren(String(99_910_000 + ((i * 7919) % DEMO_MAX_COUNT)));
    const home = rng.pick(communes);
    const isNetwork = networks.has(i);
    let categorie: Categorie = isNetwork ? rng.pick(['5710', '5599', '5710'] as const) : rng.weighted(CATEGORIES);
    if (categorie === '7210' && communesWithMairie.has(home.inseeCom)) categorie = '9220';

    const naming = nameCompany(rng, categorie, home, isNetwork, reservedNames);
    if (categorie === '7210') communesWithMairie.add(home.inseeCom);
    const ceased = !isNetwork && rng.chance(0.01);

    out.entreprises.push({
      siren,
      raisonSociale: naming.raisonSociale,
      sigle: naming.sigle,
      categorieJuridique: categorie,
      etatAdministratif: ceased ? 'C' : 'A',
    });

    const n = isNetwork ? rng.between(50, 300) : etablissementCount(rng, categorie);
    // sometimes the siège moved: NIC 0001 is the former siège (closed), 0002 the current one
    const movedSiege = !ceased && n >= 2 && rng.chance(0.1);
    for (let k = 0; k < n; k++) {
      const siret = makeValidSiret(siren, String(k + 1).padStart(4, '0'));
      const estSiege = movedSiege ? k === 1 : k === 0;
      let commune = home;
      if (k > 0) {
        if (categorie === '7210') commune = home;
        else if (isNetwork) commune = rng.chance(0.6) ? rng.pick(byDep.get(home.inseeDep)!) : rng.pick(communes);
        else
          commune = rng.chance(0.5) ? home : rng.chance(0.7) ? rng.pick(byDep.get(home.inseeDep)!) : rng.pick(byDep.get(rng.pick(deps))!);
      }
      const closed = ceased || (movedSiege && k === 0) || (!estSiege && rng.chance(0.025));
      out.etablissements.push({
        siret,
        siren,
        denomination: naming.denomination(k, commune, rng),
        estSiege,
        ...address(rng, commune),
        etatAdministratif: closed ? 'F' : 'A',
        checksumWarning: false,
      });
    }
  }
  return out;
}

/**
 * The demo's envelope files (`seed/enveloppes/enveloppes-<année>.csv`): what Urssaf and MSA would send
 * for the companies of the demo registry (src/demo/registry.ts: the fixed
 * DEMO_COMPANIES and the generated 999… companies). Deterministic: same registry, same year → the
 * same bytes (seeded PRNG, no clock). Written by `npm run cli -- generate-demo-envelopes`.
 *
 * Who is liable (simplified from L. 6241-1 code du travail and the DSN rules, docs/regles.md#solde-et-enveloppe):
 * - companies of commercial, industrial or craft categories (SAS, SARL, SA, SELAS, GIE…) and the
 *   entrepreneurs individuels who employ staff (about a third); not associations, communes, SCI;
 * - active établissements only; none in Alsace-Moselle (57, 67, 68: no solde there);
 * - some small employers of apprentices are exempt (payroll ≤ 6 SMIC, code 074): no line;
 * - the employers of the establishment space's demo allocations are always declared (see
 *   `allocationDemoSirets`).
 * Amounts: solde 076 = 0.09 % of the établissement's payroll (headcount × an annual gross salary of
 * 18,000–52,000 €, part-time for the smallest), from a few euros to tens of thousands for the sièges
 * of the networks; 077 (subventions en nature aux CFA) for about 3 % of them, 078 (créance alternants)
 * for a quarter of those of 250 people or more. About 5 % are declared to the MSA (vineyards, landscape
 * gardeners, wine cellars, florists, and some others). A quarter of the companies have their DSN filed
 * by an accounting firm of the registry (CABINET …), a tenth by the demo's tiers-déclarant (CABINET
 * COMPTABLE DURAND ET ASSOCIES, who also files for the clients of its portefeuilles); the others file
 * their own. About 1 % of the SIRETs have a corrective deposit in June (a later line for 076).
 */
import { formatEurosPlain } from '../shared/format.js';
import { DEMO_COMPANIES, createRng, generateDemoRegistry, type DemoRegistry, type Rng } from './registry.js';
import type { EntrepriseRow, EtablissementRow } from '../modules/entreprises/registry-format.js';

export const DEMO_ENVELOPE_YEARS = [2024, 2025] as const;

export interface DemoEnvelopeFile {
  annee: number;
  /** file name, e.g. enveloppes-2025.csv */
  name: string;
  content: string;
  stats: { sirets: number; lignes: number; msa: number; soldeCents: bigint; minSoldeCents: bigint; maxSoldeCents: bigint };
}

/** FNV-1a: a stable seed per SIRET, so an établissement keeps its size from one year to the next. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The fixed demo companies that show the employer space all get an envelope — the GIP too, although a
 * real groupement d'intérêt public is not liable: the demo needs a multi-établissement employer.
 */
const FIXED_EMPLOYERS = new Set<string>([
  DEMO_COMPANIES.boulangerieMoutin.siren,
  DEMO_COMPANIES.gipMds.siren,
  DEMO_COMPANIES.cabinetDurand.siren,
  DEMO_COMPANIES.transportsGiraudier.siren,
]);
/**
 * The generated employers of the establishment space's demo allocations: src/demo/espace-etablissement.ts
 * gives allocations to the lycée Raspail from the fixed companies, then from the first three
 * active sièges of generated companies (SIREN 999…, not 99900…) by SIRET. That seed runs first and enters
 * placeholder envelopes; these SIRETs are declared here whatever their legal category (and never exempt),
 * so that the import replaces every placeholder and each demo allocation rests on an imported envelope.
 */
export function allocationDemoSirets(registry: DemoRegistry): Set<string> {
  const sieges = registry.etablissements
    .filter((e) => e.siren.startsWith('999') && !e.siren.startsWith('99900') && e.estSiege && e.etatAdministratif === 'A')
    .map((e) => e.siret)
    .sort();
  return new Set(sieges.slice(0, 3));
}

const LIABLE = new Set(['5710', '5720', '5499', '5498', '5599', '5785', '6220']);
const AGRICULTURAL = /^(VIGNOBLES|PAYSAGES|CAVE|FLEURS)\b/;
const ALSACE_MOSELLE = /^(57|67|68)/;
const CSV_HEADER = 'siret;collecteur;code;montant;periode;siret_declarant;declarant;date_depot';

/** euros,cents with a decimal comma (what the collectors' spreadsheets write) */
const euros = formatEurosPlain;

interface Filer {
  siret: string;
  nom: string;
}

/** Headcount of an établissement (stable across years), from its SIRET. */
function headcount(e: EtablissementRow, ent: EntrepriseRow, network: boolean): number {
  const r = createRng(hash(e.siret));
  if (e.siret === DEMO_COMPANIES.boulangerieMoutin.siret) return 6;
  if (e.siret === DEMO_COMPANIES.gipMds.siret) return 180;
  if (e.siren === DEMO_COMPANIES.gipMds.siren) return e.siret.endsWith('28') ? 45 : 12;
  if (e.siret === DEMO_COMPANIES.cabinetDurand.siret) return 38;
  if (e.siren === DEMO_COMPANIES.cabinetDurand.siren) return 9;
  if (e.siret === DEMO_COMPANIES.transportsGiraudier.siret) return 1450;
  if (e.siren === DEMO_COMPANIES.transportsGiraudier.siren) return r.between(8, 40);
  if (network) return e.estSiege ? r.between(300, 2500) : r.between(5, 45);
  if (ent.categorieJuridique === '1000') return r.between(1, 3);
  const x = r.next();
  if (x < 0.35) return r.between(1, 2);
  if (x < 0.7) return r.between(3, 9);
  if (x < 0.85) return r.between(10, 19);
  if (x < 0.94) return r.between(20, 49);
  if (x < 0.99) return r.between(50, 249);
  return r.between(250, 999);
}
/**
 * The file of campaign `annee` (payroll of `annee − 1`) for a demo registry. `registry` defaults to
 * the demo's (6,000 generated companies, seed 20260504).
 */
export function generateDemoEnvelopes(annee: number, registry: DemoRegistry = generateDemoRegistry()): DemoEnvelopeFile {
  const g = generation(annee, registry);
  const companies = [...registry.entreprises].sort((a, b) => (a.siren < b.siren ? -1 : a.siren > b.siren ? 1 : 0));
  for (const ent of companies) declareCompany(g, ent);
  const s = g.stats;
  return {
    annee,
    name: `enveloppes-${annee}.csv`,
    content: [CSV_HEADER, ...g.lines].join('\n') + '\n',
    stats: { sirets: s.sirets, lignes: g.lines.length, msa: s.msa, soldeCents: s.total, minSoldeCents: s.min ?? 0n, maxSoldeCents: s.max },
  };
}

/** What the lines of one year are drawn from, and what they add up to. */
interface Generation {
  annee: number;
  rng: Rng;
  bySiren: Map<string, EtablissementRow[]>;
  siegeOf: (siren: string) => EtablissementRow | null;
  /** accounting firms of the registry (their siège files the DSN of some clients) */
  firms: Filer[];
  allocating: Set<string>;
  allocatingSirens: Set<string>;
  days: { first: string; second: string; correction: string };
  lines: string[];
  stats: { sirets: number; msa: number; total: bigint; min: bigint | null; max: bigint };
}

function generation(annee: number, registry: DemoRegistry): Generation {
  const bySiren = new Map<string, EtablissementRow[]>();
  for (const e of registry.etablissements) {
    const list = bySiren.get(e.siren);
    if (list) list.push(e);
    else bySiren.set(e.siren, [e]);
  }
  const siegeOf = (siren: string) => bySiren.get(siren)?.find((x) => x.estSiege && x.etatAdministratif === 'A') ?? null;
  const allocating = allocationDemoSirets(registry);
  return {
    annee,
    rng: createRng(0x5017ea + annee),
    bySiren,
    siegeOf,
    firms: accountingFirms(registry, siegeOf),
    allocating,
    allocatingSirens: new Set([...allocating].map((x) => x.slice(0, 9))),
    days: { first: annee === 2024 ? '06/05/2024' : `05/05/${annee}`, second: `15/05/${annee}`, correction: `05/06/${annee}` },
    lines: [],
    stats: { sirets: 0, msa: 0, total: 0n, min: null, max: 0n },
  };
}

/** The registry's accounting firms (CABINET …, not dentists nor vets), the demo's tiers-déclarant apart. */
function accountingFirms(registry: DemoRegistry, siegeOf: (siren: string) => EtablissementRow | null): Filer[] {
  const firms: Filer[] = [];
  for (const ent of registry.entreprises) {
    if (!ent.siren.startsWith('999')) continue;
    if (!/^CABINET /.test(ent.raisonSociale) || /DENTAIRE|VETERINAIRE/.test(ent.raisonSociale) || ent.etatAdministratif !== 'A') continue;
    const s = siegeOf(ent.siren);
    if (s && ent.siren !== DEMO_COMPANIES.cabinetDurand.siren) firms.push({ siret: s.siret, nom: ent.raisonSociale });
  }
  return firms;
}

const DURAND: Filer = { siret: DEMO_COMPANIES.cabinetDurand.siret, nom: DEMO_COMPANIES.cabinetDurand.raisonSociale };
const DURAND_CLIENTS = new Set<string>([
  DEMO_COMPANIES.boulangerieMoutin.siren,
  DEMO_COMPANIES.transportsGiraudier.siren,
  DEMO_COMPANIES.gipMds.siren,
  DEMO_COMPANIES.cabinetDurand.siren,
]);

/** The lines of one company, when it is liable: who files, which collector, then each active établissement. */
function declareCompany(g: Generation, ent: EntrepriseRow): void {
  if (!ent.siren.startsWith('999')) return; // real SIRENE companies of the demo are not in these files
  if (ent.etatAdministratif !== 'A' || ent.siren === DEMO_COMPANIES.lyceeRaspail.siren) return;
  const etabs = (g.bySiren.get(ent.siren) ?? []).filter((e) => e.etatAdministratif === 'A');
  if (etabs.length === 0) return;
  const firmRng = createRng(hash(ent.siren) ^ 0x9e3779b9);
  const categorie = ent.categorieJuridique ?? '';
  const liable =
    FIXED_EMPLOYERS.has(ent.siren) ||
    g.allocatingSirens.has(ent.siren) ||
    LIABLE.has(categorie) ||
    (categorie === '1000' && firmRng.chance(0.35));
  if (!liable) return;
  const network = etabs.length >= 40;
  const sizes = etabs.map((e) => headcount(e, ent, network));
  const companySize = sizes.reduce((a, b) => a + b, 0);
  // who files: the tiers-déclarant for its clients, else an accounting firm, else the company
  const siege = g.siegeOf(ent.siren) ?? etabs[0]!;
  const who = firmRng.next();
  const filer: Filer =
    DURAND_CLIENTS.has(ent.siren) || who < 0.1
      ? DURAND
      : who < 0.35 && g.firms.length
        ? g.firms[firmRng.int(g.firms.length)]!
        : { siret: siege.siret, nom: ent.raisonSociale };
  const agricultural = AGRICULTURAL.test(ent.raisonSociale) || firmRng.chance(0.01);
  const company: Company = { filer, collecteur: agricultural ? 'MSA' : 'URSSAF', day: companySize >= 50 ? g.days.first : g.days.second };
  etabs.forEach((e, i) => declareEtablissement(g, e, sizes[i]!, company));
}

interface Company {
  filer: Filer;
  collecteur: 'URSSAF' | 'MSA';
  /** the deposit day of its DSN */
  day: string;
}

/** The lines of one établissement: its solde (076), sometimes 077 or 078, rarely a corrective deposit in June. */
function declareEtablissement(g: Generation, e: EtablissementRow, people: number, company: Company): void {
  if (e.codePostal && ALSACE_MOSELLE.test(e.codePostal)) return;
  const r = createRng(hash(`${e.siret}|${g.annee}`));
  // annual gross per head: part-time for the very small ones
  const perHead = people <= 2 ? r.between(6_000, 30_000) : r.between(18_000, 52_000);
  const payrollCents = BigInt(people * perHead) * 100n;
  // small employers of apprentices with a payroll ≤ 6 SMIC are exempt (code 074): no solde
  if (payrollCents <= 13_000_000n && !g.allocating.has(e.siret) && r.chance(0.08)) return;
  const solde = (payrollCents * 9n + 5_000n) / 10_000n; // 0.09 %, half-up to the cent
  if (solde === 0n) return;
  // (the allocation employers draw their own times: the other lines stay as they were before them)
  const times = g.allocating.has(e.siret) ? createRng(hash(`${e.siret}|depot|${g.annee}`)) : g.rng;
  const depot = deposit(company.day, times);
  const { filer, collecteur } = company;
  const row = (code: string, cents: bigint, date = depot) =>
    g.lines.push(`${e.siret};${collecteur};${code};${euros(cents)};${g.annee - 1};${filer.siret};${filer.nom};${date}`);
  row('076', solde);
  if (people >= 3 && r.chance(0.03)) {
    const d = ((solde * BigInt(r.between(10, 60))) / 100n / 100n) * 100n;
    if (d > 0n) row('077', d);
  }
  if (people >= 250 && r.chance(0.25)) row('078', (solde * BigInt(r.between(5, 50))) / 100n);
  let kept = solde;
  if (r.chance(0.01)) {
    // a corrective deposit in June: the later 076 replaces the first
    kept = (solde * BigInt(r.between(88, 115))) / 100n;
    row('076', kept, deposit(g.days.correction, times));
  }
  const s = g.stats;
  s.sirets++;
  if (collecteur === 'MSA') s.msa++;
  s.total += kept;
  if (s.min === null || kept < s.min) s.min = kept;
  if (kept > s.max) s.max = kept;
}

/** A deposit instant on `day`, between 8:00 and 19:59. */
function deposit(day: string, g: Rng): string {
  const h = g.between(8, 19);
  const m = g.int(60);
  return `${day} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

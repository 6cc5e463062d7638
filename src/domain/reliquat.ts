/**
 * The reliquat: how the funds nobody allocated, and the shares that could not be paid and were not
 * re-designated, are shared among the habilitated establishments (code du travail R. 6241-28,
 * D. 6241-27-1, R. 6241-28-1; arrêtés du 12 novembre 2024 et du 26 novembre 2025; docs/regles.md#reliquat).
 * Pure: amounts in bigint cents, every split by the largest remainder (money.ts) in a documented order,
 * so that what is shared and what stays in the fund add up to the pool, to the cent.
 *
 * 1. The pool is split into the regional part (`regionaleBp`, 40 % by the arrêtés, each part at least
 *    20 %) and the national part, by largest remainder.
 * 2. The regional part is split among the regions in proportion to what each region's employers left
 *    (largest remainder, regions in code order, employers of no known region last); each region's part
 *    is then split in equal amounts among its habilitated establishments in SIRET order (the cents left
 *    go one each to the first establishments).
 * 3. The national part is split in equal amounts per formation leading to one of the métiers en tension
 *    of its region; formations are taken establishment by establishment in SIRET order (the cents left
 *    go one each to the first formations). An establishment receives the sum of its shares.
 * 4. What nobody can receive stays in the fund for next year (R. 6241-28-1), with its reason: the part
 *    of employers of no known region, of a region without habilitated establishment, a national part
 *    without any formation en tension, and the shares of establishments that cannot be paid (no verified
 *    bank details, closed).
 */
import { FULL_BP, splitLargestRemainder, type Cents } from './money.js';

/** Each part of the reliquat is at least 20 % (R. 6241-28). */
export const RELIQUAT_MIN_PART_BP = 2000;

/** Why an establishment's share cannot be paid: the reasons of a wave's unpayable shares (lignes-dues.ts). */
export type MotifNonVersable = 'sans_coordonnees' | 'coordonnees_non_verifiees' | 'etablissement_ferme';

/** Why money stays in the fund for next year. */
export type MotifReport = 'region_inconnue' | 'region_sans_etablissement' | 'aucune_formation_en_tension' | MotifNonVersable;

export const MOTIFS_REPORT: Record<MotifReport, string> = {
  region_inconnue: 'employeurs dont la région est inconnue',
  region_sans_etablissement: 'région sans établissement habilité',
  aucune_formation_en_tension: 'aucune formation menant à un métier en tension',
  sans_coordonnees: 'établissement sans coordonnées bancaires',
  coordonnees_non_verifiees: 'coordonnées bancaires non vérifiées',
  etablissement_ferme: 'établissement fermé',
};

export interface ReliquatSource {
  /** region code (COG) of the employers, null when unknown */
  region: string | null;
  /** crédits à répartir their validated allocations leave */
  nonAttribueCents: Cents;
  /** their shares that could not be paid and were not re-designated (D. 6241-27-1) */
  nonVersableCents: Cents;
}

export interface ReliquatEtablissement {
  siret: string;
  region: string | null;
  /** its formations leading to one of the métiers en tension of their region */
  formations: number;
  /** null when it can be paid */
  motif: MotifNonVersable | null;
}

export interface ReliquatInput {
  /** the regional part in basis points (4000 = 40 %), between 20 % and 80 % */
  regionaleBp: number;
  sources: readonly ReliquatSource[];
  /** the habilitated establishments of the campaign (top level: composantes receive through them) */
  etablissements: readonly ReliquatEtablissement[];
}

export interface ReliquatRegion {
  region: string | null;
  nonAttribueCents: Cents;
  nonVersableCents: Cents;
  /** its share of the regional part */
  partCents: Cents;
  etablissements: number;
}

export interface ReliquatShare {
  siret: string;
  region: string | null;
  regionaleCents: Cents;
  nationaleCents: Cents;
  formations: number;
  motif: MotifNonVersable | null;
}

export interface ReliquatSplit {
  poolCents: Cents;
  nonAttribueCents: Cents;
  nonVersableCents: Cents;
  regionaleBp: number;
  regionaleCents: Cents;
  nationaleCents: Cents;
  /** regions in code order, unknown last */
  regions: ReliquatRegion[];
  /** formations en tension counted for the national part */
  formations: number;
  /** every establishment with a share, in SIRET order (those that cannot be paid too, with their reason) */
  shares: ReliquatShare[];
  /** what the payable shares add up to */
  verseCents: Cents;
  /** what stays in the fund, by reason (non-zero only, in the order of MOTIFS_REPORT) */
  reports: { motif: MotifReport; cents: Cents }[];
  reporteCents: Cents;
}

const bySiret = (a: { siret: string }, b: { siret: string }) => (a.siret < b.siret ? -1 : a.siret > b.siret ? 1 : 0);
const byRegion = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/**
 * `total` in equal amounts per unit, the units grouped (`counts[i]` units for group i, in order): each
 * unit gets ⌊total / n⌋ and the cents left go one each to the first units — the largest remainder with
 * equal weights, summed per group. Returns each group's sum.
 */
export function equalSharesByCount(total: Cents, counts: readonly number[]): Cents[] {
  const n = BigInt(counts.reduce((a, b) => a + b, 0));
  if (n === 0n) return counts.map(() => 0n);
  const each = total / n;
  let left = total % n;
  return counts.map((c) => {
    const k = BigInt(c);
    const extra = left < k ? left : k;
    left -= extra;
    return each * k + extra;
  });
}

/** Adds the sources of the same region. */
function regionsOf(sources: readonly ReliquatSource[]): Map<string | null, ReliquatSource> {
  const out = new Map<string | null, ReliquatSource>();
  for (const s of [...sources].sort((a, b) => byRegion(a.region, b.region))) {
    const was = out.get(s.region);
    out.set(s.region, {
      region: s.region,
      nonAttribueCents: (was?.nonAttribueCents ?? 0n) + s.nonAttribueCents,
      nonVersableCents: (was?.nonVersableCents ?? 0n) + s.nonVersableCents,
    });
  }
  return out;
}

type Shares = Map<string, ReliquatShare>;

/** The regional part region by region, then in equal amounts among each region's establishments (step 2). */
function shareRegions(
  regionaleCents: Cents,
  sources: readonly ReliquatSource[],
  etablissements: readonly ReliquatEtablissement[],
  shares: Shares,
  report: (motif: MotifReport, cents: Cents) => void,
): ReliquatRegion[] {
  const parts = splitLargestRemainder(
    regionaleCents,
    sources.map((s) => s.nonAttribueCents + s.nonVersableCents),
  );
  return sources.map((s, i) => {
    const partCents = parts[i]!;
    const here = s.region === null ? [] : etablissements.filter((e) => e.region === s.region);
    if (s.region === null) report('region_inconnue', partCents);
    else if (here.length === 0) report('region_sans_etablissement', partCents);
    else
      equalSharesByCount(
        partCents,
        here.map(() => 1),
      ).forEach((c, j) => (shares.get(here[j]!.siret)!.regionaleCents = c));
    return {
      region: s.region,
      nonAttribueCents: s.nonAttribueCents,
      nonVersableCents: s.nonVersableCents,
      partCents,
      etablissements: here.length,
    };
  });
}

/** Shares the reliquat (see the file's comment for the rule and its order). */
export function shareReliquat(input: ReliquatInput): ReliquatSplit {
  const bp = input.regionaleBp;
  if (!Number.isInteger(bp) || bp < RELIQUAT_MIN_PART_BP || bp > FULL_BP - RELIQUAT_MIN_PART_BP)
    throw new RangeError('shareReliquat: each part of the reliquat is at least 20 % (R. 6241-28)');
  const sources = [...regionsOf(input.sources).values()];
  if (sources.some((s) => s.nonAttribueCents < 0n || s.nonVersableCents < 0n)) throw new RangeError('shareReliquat: negative amount');
  const nonAttribueCents = sources.reduce((s, r) => s + r.nonAttribueCents, 0n);
  const nonVersableCents = sources.reduce((s, r) => s + r.nonVersableCents, 0n);
  const poolCents = nonAttribueCents + nonVersableCents;
  const [regionaleCents, nationaleCents] = splitLargestRemainder(poolCents, [bp, FULL_BP - bp]) as [Cents, Cents];

  const etablissements = [...input.etablissements].sort(bySiret);
  const shares = new Map(
    etablissements.map((e) => [
      e.siret,
      { siret: e.siret, region: e.region, regionaleCents: 0n, nationaleCents: 0n, formations: 0, motif: e.motif },
    ]),
  );
  const reported = new Map<MotifReport, Cents>();
  const report = (motif: MotifReport, cents: Cents) => {
    if (cents > 0n) reported.set(motif, (reported.get(motif) ?? 0n) + cents);
  };

  const regions = shareRegions(regionaleCents, sources, etablissements, shares, report);

  const formations = etablissements.reduce((n, e) => n + e.formations, 0);
  if (formations === 0) report('aucune_formation_en_tension', nationaleCents);
  else
    equalSharesByCount(
      nationaleCents,
      etablissements.map((e) => e.formations),
    ).forEach((c, j) => {
      const s = shares.get(etablissements[j]!.siret)!;
      s.nationaleCents = c;
      s.formations = etablissements[j]!.formations;
    });

  const withShare = [...shares.values()].filter((s) => s.regionaleCents + s.nationaleCents > 0n);
  let verseCents = 0n;
  for (const s of withShare) {
    if (s.motif === null) verseCents += s.regionaleCents + s.nationaleCents;
    else report(s.motif, s.regionaleCents + s.nationaleCents);
  }
  const reports = (Object.keys(MOTIFS_REPORT) as MotifReport[])
    .filter((m) => reported.has(m))
    .map((motif) => ({ motif, cents: reported.get(motif)! }));
  const reporteCents = reports.reduce((s, r) => s + r.cents, 0n);
  return {
    poolCents,
    nonAttribueCents,
    nonVersableCents,
    regionaleBp: bp,
    regionaleCents,
    nationaleCents,
    regions,
    formations,
    shares: withShare,
    verseCents,
    reports,
    reporteCents,
  };
}

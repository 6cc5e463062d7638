/**
 * « Versements »: the transfers the establishment and its composantes received for the current campaign
 * (docs/regles.md#suivi-des-versements): the day, the label `TAXE- APPRENTISSAGE - <SIRET> - <année> -
 * <n° virement>`, the amount; under each, the employers it comes from (R. 6241-25 3°: named only when
 * the employer shares its identity, as « Attributions reçues » decides, docs/regles.md#origine-des-fonds)
 * and, for the reliquat's transfer, the establishment's regional and national shares (R. 6241-28); the
 * totals; its CSV. Only issued waves show; a transfer the bank returned shows with its reason and
 * counts in no total. Every query is bound to the establishment `loadEstablishment` opened.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { jourDeVersement } from '../../domain/jour-versement.js';
import type { Jour } from '../../domain/jours.js';
import type { Cents } from '../../domain/money.js';
import { selectRows } from '../../infra/db/index.js';
import { writeCsv } from '../../shared/csv.js';
import { formatDate, formatEurosPlain } from '../../shared/format.js';
import type { Establishment } from './access.js';
import { ANONYMOUS_EMPLOYER, employerInfos } from './attributions.js';
import { placeIds } from './etablissement.js';

export interface PaymentOrigin {
  /** null when the employer did not agree to share its identity */
  employeur: { siret: string; raisonSociale: string } | null;
  /** the employer's name, or « Employeur (identité non partagée) » */
  employeurNom: string;
  cents: Cents;
}

export interface ReliquatShareView {
  siret: string;
  regionaleCents: Cents;
  nationaleCents: Cents;
  formations: number;
}

export interface PaymentView {
  id: number;
  numero: number;
  libelle: string;
  jour: Jour;
  cents: Cents;
  beneficiaireSiret: string;
  beneficiaireNom: string;
  nature: 'allocations' | 'reliquat';
  rejete: boolean;
  motifRejet: string | null;
  /** the employers whose lines it pays, the named ones first */
  origines: PaymentOrigin[];
  /** the reliquat's transfer: the beneficiary's shares */
  reliquat: ReliquatShareView | null;
}

export interface PaymentsView {
  annee: number;
  virements: PaymentView[];
  /** Σ transfers received (not returned by the bank) */
  totalCents: Cents;
  /** of which from the employers' allocations, and from the reliquat */
  allocationsCents: Cents;
  reliquatCents: Cents;
  /** the reliquat shares computed for the establishment and its composantes (paid or not yet) */
  partsReliquat: ReliquatShareView[];
}

interface TransferRow {
  id: string;
  numero: number;
  libelle: string;
  montant: string;
  siret: string;
  nom: string;
  statut: string;
  motif: string | null;
  nature: string;
  date_execution: string;
  emise_le: string | Date;
}

/** The SIRETs paid for the establishment: its own and its composantes' (a composante with its own details is paid itself). */
async function paidSirets(ctx: AppContext, etab: Establishment): Promise<string[]> {
  const ids = await placeIds(ctx, etab);
  const rows = await selectRows<{ siret: string }>(
    ctx.db,
    sql`select distinct siret from ref_etablissements where id in (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )}) and siret is not null`,
  );
  return [...new Set([etab.siret, ...rows.map((r) => r.siret)])];
}

const inList = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

async function transfers(ctx: AppContext, annee: number, sirets: string[]): Promise<TransferRow[]> {
  return selectRows<TransferRow>(
    ctx.db,
    sql`select vi.id::text, vi.numero, vi.libelle, vi.montant_cents::text as montant, vi.beneficiaire_siret as siret,
               vi.beneficiaire_nom as nom, vi.statut, vi.motif_libelle as motif, v.nature, v.date_execution, v.emise_le
          from virements vi join vagues_versement v on v.id = vi.vague_id
         where vi.annee = ${annee} and v.statut = 'emise' and vi.beneficiaire_siret in (${inList(sirets)})
         order by v.emise_le, vi.numero`,
  );
}

/** What each transfer pays per employer SIRET. */
async function originsOf(ctx: AppContext, ids: string[]): Promise<{ virement: string; siret: string; cents: string }[]> {
  if (!ids.length) return [];
  return selectRows(
    ctx.db,
    sql`select virement_id::text as virement, siret_employeur as siret, sum(montant_cents)::text as cents
          from lignes_versees where virement_id in (${sql.join(
            ids.map((i) => sql`${i}::bigint`),
            sql`, `,
          )})
         group by virement_id, siret_employeur`,
  );
}

async function reliquatShares(ctx: AppContext, annee: number, sirets: string[]): Promise<ReliquatShareView[]> {
  const rows = await selectRows<{ siret: string; regionale: string; nationale: string; formations: number }>(
    ctx.db,
    sql`select siret, regionale_cents::text as regionale, nationale_cents::text as nationale, formations
          from reliquat_parts where annee = ${annee} and siret in (${inList(sirets)}) order by siret`,
  );
  return rows.map((r) => ({
    siret: r.siret,
    regionaleCents: BigInt(r.regionale),
    nationaleCents: BigInt(r.nationale),
    formations: Number(r.formations),
  }));
}

/** « Versements » of the establishment for its campaign. */
export async function loadPayments(ctx: AppContext, etab: Establishment): Promise<PaymentsView> {
  const sirets = await paidSirets(ctx, etab);
  const rows = await transfers(ctx, etab.annee, sirets);
  const origins = await originsOf(
    ctx,
    rows.map((r) => r.id),
  );
  const employers = await employerInfos(ctx, etab.annee, [...new Set(origins.map((o) => o.siret))]);
  const parts = await reliquatShares(ctx, etab.annee, sirets);
  const virements: PaymentView[] = rows.map((r) => ({
    id: Number(r.id),
    numero: Number(r.numero),
    libelle: r.libelle,
    jour: jourDeVersement(r.date_execution, new Date(r.emise_le)),
    cents: BigInt(r.montant),
    beneficiaireSiret: r.siret,
    beneficiaireNom: r.nom,
    nature: r.nature === 'reliquat' ? 'reliquat' : 'allocations',
    rejete: r.statut === 'rejete',
    motifRejet: r.motif,
    origines: origins
      .filter((o) => o.virement === r.id)
      .map((o) => {
        const info = employers.get(o.siret);
        const employeur = info?.partage ? { siret: o.siret, raisonSociale: info.raisonSociale ?? o.siret } : null;
        return { employeur, employeurNom: employeur?.raisonSociale ?? ANONYMOUS_EMPLOYER, cents: BigInt(o.cents) };
      })
      .sort((a, b) => byName(a, b) || (b.cents > a.cents ? 1 : b.cents < a.cents ? -1 : 0)),
    reliquat: r.nature === 'reliquat' ? (parts.find((p) => p.siret === r.siret) ?? null) : null,
  }));
  const received = virements.filter((v) => !v.rejete);
  const sum = (list: PaymentView[]) => list.reduce((s, v) => s + v.cents, 0n);
  return {
    annee: etab.annee,
    virements,
    totalCents: sum(received),
    allocationsCents: sum(received.filter((v) => v.nature === 'allocations')),
    reliquatCents: sum(received.filter((v) => v.nature === 'reliquat')),
    partsReliquat: parts,
  };
}

/** Named employers first, by name; the others after. */
function byName(a: PaymentOrigin, b: PaymentOrigin): number {
  if (a.employeur && b.employeur) return a.employeur.raisonSociale.localeCompare(b.employeur.raisonSociale, 'fr');
  return a.employeur ? -1 : b.employeur ? 1 : 0;
}

const jourText = (j: Jour) => formatDate(new Date(`${j}T12:00:00Z`));

/** The CSV (shared/csv.ts): one row per origin of each transfer — an employer, or a part of the reliquat. */
export function paymentsCsv(v: PaymentsView): string {
  const header = [
    'Campagne',
    'Date du virement',
    'N° virement',
    'Libellé',
    'SIRET bénéficiaire',
    'Montant du virement (€)',
    'Statut',
    'Origine',
    'Employeur',
    'SIRET employeur',
    'Montant (€)',
  ];
  const rows = v.virements.flatMap((p) => {
    const base = [
      String(v.annee),
      jourText(p.jour),
      String(p.numero),
      p.libelle,
      p.beneficiaireSiret,
      formatEurosPlain(p.cents),
      p.rejete ? `Rejeté par la banque${p.motifRejet ? ` : ${p.motifRejet}` : ''}` : 'Versé',
    ];
    if (p.reliquat)
      return [
        [...base, 'Reliquat, part régionale', '', '', formatEurosPlain(p.reliquat.regionaleCents)],
        [...base, `Reliquat, part nationale (${p.reliquat.formations} formation(s))`, '', '', formatEurosPlain(p.reliquat.nationaleCents)],
      ];
    return p.origines.map((o) => [...base, 'Employeur', o.employeurNom, o.employeur?.siret ?? '', formatEurosPlain(o.cents)]);
  });
  return writeCsv(header, rows);
}

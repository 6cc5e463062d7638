/**
 * The métiers en tension of each region, which decide the national part of the reliquat (R. 6241-28,
 * docs/regles.md#reliquat): a formation leads to a métier through its diploma's RNCP code.
 * `npm run cli -- import-metiers-en-tension <année> <fichier>` (docs/metiers-en-tension-format.md): every
 * line checked first, a French message per refused line, all or nothing; importing again replaces the
 * year's list; audited. At most 10 métiers per region (the arrêtés du 12 novembre 2024 et du 26 novembre
 * 2025 list ten per region in their annex). Refused once the year's reliquat is computed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sql } from 'drizzle-orm';
import { parseRncp } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import { audit } from '../../infra/audit.js';
import { selectRows, type Db } from '../../infra/db/index.js';
import { metiersEnTension } from '../../infra/db/schema-versements.js';
import { readCsv } from '../../shared/csv.js';
import { decodeText } from '../../shared/text-decoding.js';
import { headerKey } from '../referentiel/columns.js';
import { REGIONS, regionName } from '../referentiel/territoires.js';
import { quoteValue } from '../enveloppes/values.js';

/** The arrêtés list ten métiers en tension per region. */
export const MAX_METIERS_PAR_REGION = 10;
const MAX_METIER_CHARS = 200;

export interface MetierLine {
  line: number;
  region: string;
  metier: string;
  rncp: string[];
}

export interface MetiersReport {
  annee: number;
  fichier: string;
  lines: number;
  regions: number;
  metiers: number;
  /** distinct (region, RNCP code) pairs */
  codes: number;
  /** rows of the year's earlier list, replaced */
  replaced: number;
  rejected: { line: number; message: string }[];
  /** codes no formation of the year's referential carries (imported; a warning) */
  unknownRncp: string[];
}

const COLUMNS = ['region', 'metier', 'rncp'] as const;
type Column = (typeof COLUMNS)[number];
const ALIASES: Record<string, Column> = {
  code_region: 'region',
  region_code: 'region',
  metier_en_tension: 'metier',
  libelle_metier: 'metier',
  codes_rncp: 'rncp',
  code_rncp: 'rncp',
  rncp_codes: 'rncp',
};
const HEADER = 'region;metier;rncp';

const regionsByName = new Map(REGIONS.map((r) => [searchKey(r.nom), r.code]));

/** « 84 », « 1 » (→ 01), « Auvergne-Rhône-Alpes » → the region's code; null when unknown. */
export function parseRegion(raw: string): string | null {
  const s = raw.trim();
  if (/^\d{1,2}$/.test(s)) {
    const code = s.padStart(2, '0');
    return regionName(code) ? code : null;
  }
  return regionsByName.get(searchKey(s)) ?? null;
}

/** « RNCP35319 | RNCP 37873 35320 » → the codes; the first invalid one as a message. */
function parseCodes(raw: string): { ok: true; codes: string[] } | { ok: false; message: string } {
  const parts = raw
    .replace(/rncp\s+/gi, 'RNCP')
    .split(/[\s|,;/]+/)
    .filter(Boolean);
  if (parts.length === 0) return { ok: false, message: 'Indiquez au moins un code RNCP (par exemple RNCP35319).' };
  const codes: string[] = [];
  for (const p of parts) {
    const code = parseRncp(p);
    if (!code)
      return { ok: false, message: `Le code RNCP ${quoteValue(p)} n’est pas valide (RNCP suivi de chiffres, par exemple RNCP35319).` };
    if (!codes.includes(code)) codes.push(code);
  }
  return { ok: true, codes };
}

function readLine(cell: (c: Column) => string, line: number): MetierLine | { message: string } {
  const region = parseRegion(cell('region'));
  if (!region)
    return {
      message: cell('region')
        ? `La région ${quoteValue(cell('region'))} est inconnue : indiquez son code (par exemple 84 pour Auvergne-Rhône-Alpes) ou son nom.`
        : 'La région est obligatoire.',
    };
  const metier = cell('metier').replace(/\s+/g, ' ');
  if (!metier) return { message: 'Le métier est obligatoire.' };
  if (metier.length > MAX_METIER_CHARS) return { message: `Le métier dépasse ${MAX_METIER_CHARS} caractères.` };
  const codes = parseCodes(cell('rncp'));
  if (!codes.ok) return { message: codes.message };
  return { line, region, metier, rncp: codes.codes };
}

/** Reads one file (UTF-8 or Windows-1252, `;` or `,`): its lines, and each refused line with its message. */
export function readMetiersEnTension(bytes: Uint8Array | string): { lines: MetierLine[]; rejected: MetiersReport['rejected'] } {
  const lines: MetierLine[] = [];
  const rejected: MetiersReport['rejected'] = [];
  const { records, issues } = readCsv(decodeText(bytes).text, { delimiters: [';', ','], maxRecordChars: 5000 });
  for (const i of issues) rejected.push(i);
  const [head, ...rows] = records;
  if (!head)
    return { lines, rejected: [...rejected, { line: 1, message: `Le fichier est vide : il doit commencer par l’en-tête « ${HEADER} ».` }] };
  const names = head.cells.map(headerKey);
  const index = Object.fromEntries(COLUMNS.map((c) => [c, names.findIndex((n) => n === c || ALIASES[n] === c)])) as Record<Column, number>;
  const missing = COLUMNS.filter((c) => index[c] < 0);
  if (missing.length) {
    rejected.push({ line: head.line, message: `Colonne(s) manquante(s) : ${missing.join(', ')} (en-tête attendu : ${HEADER}).` });
    return { lines, rejected };
  }
  for (const r of rows) {
    const l = readLine((c) => (r.cells[index[c]] ?? '').trim(), r.line);
    if ('message' in l) rejected.push({ line: r.line, message: l.message });
    else lines.push(l);
  }
  return { lines, rejected: [...rejected, ...acrossLines(lines)] };
}

/** The same code twice for one métier, and the 11th métier of a region. */
function acrossLines(lines: readonly MetierLine[]): MetiersReport['rejected'] {
  const out: MetiersReport['rejected'] = [];
  const seen = new Map<string, number>();
  const metiers = new Map<string, Map<string, number>>();
  for (const l of lines) {
    const key = searchKey(l.metier);
    const ofRegion = metiers.get(l.region) ?? metiers.set(l.region, new Map()).get(l.region)!;
    if (!ofRegion.has(key)) {
      ofRegion.set(key, l.line);
      if (ofRegion.size > MAX_METIERS_PAR_REGION) {
        out.push({
          line: l.line,
          message: `La région ${regionName(l.region)} (${l.region}) a plus de ${MAX_METIERS_PAR_REGION} métiers en tension : ${quoteValue(l.metier)} serait le ${ofRegion.size}e (les arrêtés en fixent ${MAX_METIERS_PAR_REGION} par région).`,
        });
        continue;
      }
    }
    for (const code of l.rncp) {
      const k = `${l.region}|${key}|${code}`;
      const first = seen.get(k);
      if (first !== undefined)
        out.push({ line: l.line, message: `Le code ${code} figure déjà pour ce métier et cette région (ligne ${first}).` });
      else seen.set(k, l.line);
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Imports the file for campaign `annee`, replacing the year's list (one transaction, audited). */
export async function importMetiersEnTension(
  db: Db,
  annee: number,
  path: string,
  opts: { now: Date; agentId?: string | null },
): Promise<MetiersReport> {
  const fichier = basename(path);
  const report: MetiersReport = { annee, fichier, lines: 0, regions: 0, metiers: 0, codes: 0, replaced: 0, rejected: [], unknownRncp: [] };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    report.rejected.push({ line: 0, message: 'Fichier illisible ou introuvable.' });
    return report;
  }
  const { lines, rejected } = readMetiersEnTension(bytes);
  report.lines = lines.length + rejected.length;
  report.rejected = rejected;
  if (!rejected.length && !lines.length) report.rejected.push({ line: 1, message: 'Le fichier ne contient aucun métier.' });
  if (report.rejected.length) return report;
  const rows = [
    ...new Map(
      lines.flatMap((l) =>
        l.rncp.map((rncp) => [`${l.region}|${searchKey(l.metier)}|${rncp}`, { annee, region: l.region, metier: l.metier, rncp }]),
      ),
    ).values(),
  ];
  report.regions = new Set(rows.map((r) => r.region)).size;
  report.metiers = new Set(rows.map((r) => `${r.region}|${searchKey(r.metier)}`)).size;
  report.codes = new Set(rows.map((r) => `${r.region}|${r.rncp}`)).size;
  await db.transaction(async (tx) => {
    const [done] = await selectRows<{ n: number }>(tx, sql`select count(*)::int as n from reliquats where annee = ${annee}`);
    if ((done?.n ?? 0) > 0) {
      report.rejected.push({
        line: 0,
        message: `Le reliquat ${annee} est déjà calculé : sa liste de métiers en tension ne peut plus changer.`,
      });
      return;
    }
    const [gone] = await selectRows<{ n: number }>(
      tx,
      sql`with d as (delete from metiers_en_tension where annee = ${annee} returning 1) select count(*)::int as n from d`,
    );
    report.replaced = gone?.n ?? 0;
    for (let i = 0; i < rows.length; i += 1000) await tx.insert(metiersEnTension).values(rows.slice(i, i + 1000));
    report.unknownRncp = (
      await selectRows<{ rncp: string }>(
        tx,
        sql`select distinct m.rncp from metiers_en_tension m
             where m.annee = ${annee}
               and not exists (select 1 from ref_formations f join ref_diplomes d on d.id = f.diplome_id where f.annee = ${annee} and d.rncp = m.rncp)
             order by m.rncp`,
      )
    ).map((r) => r.rncp);
    await audit(
      tx,
      { now: () => opts.now },
      {
        action: 'metiers_en_tension.importes',
        actorAgentId: opts.agentId ?? null,
        details: { annee, fichier, regions: report.regions, metiers: report.metiers, codes: report.codes, remplaces: report.replaced },
      },
    );
  });
  return report;
}

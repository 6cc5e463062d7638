/**
 * « Importer des attributions », resolving the lines: each line's employer SIRET (one of the person's,
 * attributions/scope.ts), its beneficiary (an établissement or composante of the campaign's referential,
 * by SIRET, UAI when the SIRET is shared) and formation (CFD, RNCP code or exact title, `lieu` when
 * taught in several places), its percentage. Pure given what the database knows, which the look-ups
 * below read set-based (a handful of queries whatever the file's size).
 */
import { sql } from 'drizzle-orm';
import { isValidSiret } from '../../domain/identifiers.js';
import { parsePercent } from '../../domain/money.js';
import { parseCfd, parseRncp } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import { arrayParam, readTextArray } from '../../infra/db/sql.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { capitalise } from '../../shared/format.js';
import { clip, type CsvLine, type ReportLine } from './import-csv-read.js';
import type { EmployerSiret } from './scope.js';
import { targetMapKey } from './targets.js';

export type FormationRef =
  { kind: 'aucune' } | { kind: 'cfd'; code: string } | { kind: 'rncp'; code: string } | { kind: 'intitule'; key: string };

/** The « formation » cell: empty, a CFD (8 characters), an RNCP code (« RNCP12345 »), else a title. */
export function parseFormationRef(cell: string): FormationRef {
  const s = cell.trim().replace(/^'/, '');
  if (s === '') return { kind: 'aucune' };
  if (/^rncp/i.test(s)) {
    const r = parseRncp(s);
    if (r) return { kind: 'rncp', code: r };
  }
  const cfd = parseCfd(s);
  if (cfd) return { kind: 'cfd', code: cfd };
  return { kind: 'intitule', key: searchKey(s) };
}

/** A row of the referential of the campaign (établissement, or composante when `parentId` is set). */
export interface RefPlace {
  id: number;
  siret: string;
  parentId: number | null;
  nom: string;
  uais: string[];
}

export interface RefFormation {
  id: number;
  etablissementId: number;
  codeCommune: string;
  cfd: string | null;
  rncp: string | null;
  intituleKey: string;
}

export interface ResolveContext {
  annee: number;
  /** the person's SIRETs for « SOLTéA - Employeurs » (with the tiers-déclarant rule applied) */
  employers: ReadonlyMap<string, EmployerSiret>;
  /** referential rows of the campaign by SIRET */
  places: ReadonlyMap<string, readonly RefPlace[]>;
  /** formations of those rows (only those matching a code of the file are needed) */
  formations: ReadonlyMap<number, readonly RefFormation[]>;
}

export interface ResolvedLine {
  line: number;
  target: { etablissementId: number; formationId: number | null };
  bp: number;
}

export interface ResolvedFile {
  /** employer SIRET → its lines, in file order; a SIRET with only an empty line has none (cleared) */
  bySiret: Map<string, ResolvedLine[]>;
  /** the first line of each SIRET (where its messages are reported) */
  firstLine: Map<string, number>;
  lines: number;
}

/** The employer SIRET cell: null when fine, else the French reason (never whether it exists elsewhere). */
export function employerRefusal(value: string, employers: ReadonlyMap<string, EmployerSiret>): string | null {
  const v = value.replace(/[\s.]/g, '');
  if (v === '') return 'le SIRET employeur est obligatoire';
  if (!/^\d{14}$/.test(v))
    return `le SIRET employeur « ${clip(value, 20)} » doit comporter 14 chiffres (un tableur supprime parfois les zéros du début : mettez la colonne au format texte)`;
  if (!isValidSiret(v)) return `le SIRET employeur ${v} n’est pas valide (clé de contrôle incorrecte)`;
  const e = employers.get(v);
  if (!e)
    return `le SIRET employeur ${v} ne fait pas partie des établissements pour lesquels vous pouvez répartir le solde (habilitation « SOLTéA - Employeurs » de votre espace)`;
  if (e.indisponible)
    return `SIRET employeur ${v} : ${e.indisponible.charAt(0).toLowerCase()}${e.indisponible.slice(1).replace(/\.$/, '')}`;
  return null;
}

/**
 * Every line → its target and share, or the report of every wrong line (several messages of one line
 * joined). Pure: `ctx` holds what the database knows.
 */
export function resolveLines(
  lines: readonly CsvLine[],
  ctx: ResolveContext,
): { ok: true; file: ResolvedFile } | { ok: false; report: ReportLine[] } {
  const report: ReportLine[] = [];
  const bySiret = new Map<string, ResolvedLine[]>();
  const firstLine = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const l of lines) {
    const msgs: string[] = [];
    const employer = l.siretEmployeur.replace(/[\s.]/g, '');
    const refusal = employerRefusal(l.siretEmployeur, ctx.employers);
    if (refusal) msgs.push(refusal);
    const empty = l.siretBeneficiaire === '' && l.formation === '' && l.pourcentage === '' && l.uai === '' && l.lieu === '';
    if (empty) {
      // « aucune attribution » for this SIRET (the export writes such a line for a client without any)
      if (msgs.length) report.push({ line: l.line, message: `${capitalise(msgs.join(' ; '))}.` });
      else {
        if (!bySiret.has(employer)) bySiret.set(employer, []);
        if (!firstLine.has(employer)) firstLine.set(employer, l.line);
      }
      continue;
    }
    const target = resolveTarget(l, ctx, msgs);
    const p = parsePercent(l.pourcentage);
    if (!p.ok)
      msgs.push(
        l.pourcentage === ''
          ? 'le pourcentage est obligatoire'
          : `pourcentage « ${clip(l.pourcentage, 20)} » : ${p.message.charAt(0).toLowerCase()}${p.message.slice(1).replace(/\.$/, '')}`,
      );
    if (target && !refusal) {
      const key = `${employer}|${targetMapKey(target.etablissementId, target.formationId)}`;
      const first = seen.get(key);
      if (first !== undefined)
        msgs.push(
          `ligne en double : le même bénéficiaire figure déjà à la ligne ${first} pour ce SIRET employeur (une seule ligne par établissement, composante ou formation)`,
        );
      else seen.set(key, l.line);
    }
    if (msgs.length) {
      report.push({ line: l.line, message: `${capitalise(msgs.join(' ; '))}.` });
      continue;
    }
    const list = bySiret.get(employer) ?? [];
    list.push({ line: l.line, target: target!, bp: (p as { bp: number }).bp });
    bySiret.set(employer, list);
    if (!firstLine.has(employer)) firstLine.set(employer, l.line);
  }
  if (report.length) return { ok: false, report };
  return { ok: true, file: { bySiret, firstLine, lines: lines.length } };
}

function resolveTarget(l: CsvLine, ctx: ResolveContext, msgs: string[]): { etablissementId: number; formationId: number | null } | null {
  const siret = l.siretBeneficiaire.replace(/[\s.]/g, '');
  if (siret === '') {
    msgs.push('le SIRET du bénéficiaire (établissement ou composante habilité) est obligatoire');
    return null;
  }
  if (!/^\d{14}$/.test(siret)) {
    msgs.push(`le SIRET du bénéficiaire « ${clip(l.siretBeneficiaire, 20)} » doit comporter 14 chiffres`);
    return null;
  }
  let places = ctx.places.get(siret) ?? [];
  if (places.length === 0) {
    // the referential keeps a few SIRETs that fail their check digit: looked up first
    msgs.push(
      isValidSiret(siret)
        ? `le bénéficiaire ${siret} n’est pas habilité à recevoir le solde de la taxe d’apprentissage pour la campagne ${ctx.annee}`
        : `le SIRET du bénéficiaire ${siret} n’est pas valide (clé de contrôle incorrecte)`,
    );
    return null;
  }
  const uai = l.uai.trim().toUpperCase();
  if (uai !== '') {
    places = places.filter((p) => p.uais.includes(uai));
    if (places.length === 0) {
      msgs.push(`aucun établissement ni composante habilité de SIRET ${siret} n’a l’UAI « ${clip(l.uai, 12)} »`);
      return null;
    }
  }
  const ref = parseFormationRef(l.formation);
  if (ref.kind === 'aucune') {
    if (l.lieu.trim() !== '') {
      msgs.push('la colonne « lieu » ne sert qu’à préciser une formation : laissez-la vide quand la colonne « formation » est vide');
      return null;
    }
    const heads = places.filter((p) => p.parentId === null);
    const chosen = places.length === 1 ? places[0]! : heads.length === 1 ? heads[0]! : null;
    if (!chosen) {
      msgs.push(`plusieurs composantes habilitées ont le SIRET ${siret} : précisez l’UAI de celle que vous choisissez (colonne « uai »)`);
      return null;
    }
    return { etablissementId: chosen.id, formationId: null };
  }
  const lieu = l.lieu.trim().toUpperCase();
  const matches: RefFormation[] = [];
  for (const p of places)
    for (const f of ctx.formations.get(p.id) ?? []) {
      const same =
        ref.kind === 'cfd' ? f.cfd === ref.code : ref.kind === 'rncp' ? f.rncp === ref.code : ref.key !== '' && f.intituleKey === ref.key;
      if (same && (lieu === '' || f.codeCommune === lieu)) matches.push(f);
    }
  if (matches.length === 0) {
    msgs.push(
      `aucune formation « ${clip(l.formation)} »${lieu ? ` enseignée à ${clip(lieu, 5)}` : ''} n’est proposée par le bénéficiaire ${siret} pour la campagne ${ctx.annee} (code CFD, code RNCP ou intitulé exact attendu)`,
    );
    return null;
  }
  if (matches.length > 1) {
    msgs.push(
      `la formation « ${clip(l.formation)} » est proposée ${matches.length} fois par le bénéficiaire ${siret} : précisez la composante (colonne « uai ») ou le lieu (code commune INSEE, colonne « lieu »)`,
    );
    return null;
  }
  return { etablissementId: matches[0]!.etablissementId, formationId: matches[0]!.id };
}

// ── look-ups (set-based) ─────────────────────────────────────────────────────────────────────────

/** The referential rows of `sirets` for `annee` and the formations matching the codes of `lines`. */
export async function loadReferentialFor(
  db: Tx,
  annee: number,
  lines: readonly CsvLine[],
): Promise<Pick<ResolveContext, 'places' | 'formations'>> {
  const sirets = new Set(lines.map((l) => l.siretBeneficiaire.replace(/[\s.]/g, '')).filter((s) => /^\d{14}$/.test(s)));
  const places = new Map<string, RefPlace[]>();
  const formations = new Map<number, RefFormation[]>();
  if (sirets.size === 0) return { places, formations };
  const found = await selectRows<{
    id: string | number;
    siret: string;
    parent_id: string | number | null;
    nom: string;
    uais: string[] | string | null;
  }>(
    db,
    sql`select e.id, e.siret, e.parent_id, e.nom,
          coalesce((select array_agg(u.uai order by u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id), '{}') as uais
        from ref_etablissements e where e.annee = ${annee} and e.siret = any(${arrayParam(sirets)}::text[]) order by e.id`,
  );
  const ids: number[] = [];
  for (const r of found) {
    const p: RefPlace = {
      id: Number(r.id),
      siret: r.siret,
      parentId: r.parent_id === null ? null : Number(r.parent_id),
      nom: r.nom,
      uais: readTextArray(r.uais),
    };
    ids.push(p.id);
    places.set(p.siret, [...(places.get(p.siret) ?? []), p]);
  }
  const refs = lines.map((l) => parseFormationRef(l.formation));
  const codes = new Set(refs.flatMap((r) => (r.kind === 'cfd' || r.kind === 'rncp' ? [r.code] : [])));
  const keys = new Set(refs.flatMap((r) => (r.kind === 'intitule' && r.key !== '' ? [r.key] : [])));
  if (ids.length && (codes.size || keys.size)) {
    const forms = await selectRows<{
      id: string | number;
      etablissement_id: string | number;
      code_commune: string;
      cfd: string | null;
      rncp: string | null;
      intitule_recherche: string;
    }>(
      db,
      sql`select f.id, f.etablissement_id, f.code_commune, d.cfd, d.rncp, d.intitule_recherche
          from ref_formations f join ref_diplomes d on d.id = f.diplome_id
          where f.annee = ${annee} and f.etablissement_id = any(${`{${ids.join(',')}}`}::int8[])
            and (d.cfd = any(${arrayParam(codes)}::text[]) or d.rncp = any(${arrayParam(codes)}::text[]) or d.intitule_recherche = any(${arrayParam(keys)}::text[]))
          order by f.id`,
    );
    for (const f of forms) {
      const v: RefFormation = {
        id: Number(f.id),
        etablissementId: Number(f.etablissement_id),
        codeCommune: f.code_commune,
        cfd: f.cfd,
        rncp: f.rncp,
        intituleKey: f.intitule_recherche,
      };
      formations.set(v.etablissementId, [...(formations.get(v.etablissementId) ?? []), v]);
    }
  }
  return { places, formations };
}

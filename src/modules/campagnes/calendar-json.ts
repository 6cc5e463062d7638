/**
 * A campaign calendar written as JSON by the operator (`campagne-modifier <année> <fichier.json>`; the
 * operator's screens come later), and the calendar printed in French. Pure.
 *
 * ```json
 * {
 *   "annee": 2025,
 *   "etablissementsOuverture": "2025-05-19",
 *   "employeursOuverture": "26/05/2025",
 *   "periodes": [{ "debut": "2025-05-26", "fin": "2025-06-27" }, { "debut": "2025-07-14", "fin": "2025-10-24" }],
 *   "vagues": [{ "date": "2025-07-11", "periode": 1 }, { "date": "2025-11-07", "periode": 2 }],
 *   "reliquat": "2025-11-27",
 *   "redesignationFin": "2025-11-21",
 *   "reliquatPartRegionale": 40,
 *   "source": "Arrêté du 8 novembre 2024"
 * }
 * ```
 * Days are `AAAA-MM-JJ` or `JJ/MM/AAAA` (Paris calendar days); `numero` of periods and waves may be
 * left out (1, 2, 3… in order); a wave names its period with `periode` (or `periodeNumero`). `annee` may
 * be left out; when present it must be the year of the command. Unknown keys are refused (a typo must
 * not be silently ignored). The calendar's rules are `validateCampaign`'s (src/domain/campagne.ts,
 * docs/regles.md#calendrier).
 */
import {
  correctionMomentAt,
  describePhase,
  openingsAndPeriods,
  phaseAt,
  redesignationDeadline,
  reliquatRegionaleBp,
  type Campaign,
  type Periode,
  type Vague,
} from '../../domain/campagne.js';
import { allocationWindow } from '../../domain/campagne-validation.js';
import { formatJour } from '../../domain/jours.js';
import { formatLongDateTime } from '../../shared/format.js';

export type CampaignJsonResult = { ok: true; campaign: Campaign } | { ok: false; errors: string[] };

const TOP_KEYS = new Set([
  'annee',
  'etablissementsOuverture',
  'employeursOuverture',
  'periodes',
  'vagues',
  'reliquat',
  'redesignationFin',
  'reliquatPartRegionale',
  'source',
]);
const PERIOD_KEYS = new Set(['numero', 'debut', 'fin']);
const WAVE_KEYS = new Set(['numero', 'date', 'periode', 'periodeNumero']);

/** « 26/05/2025 » → « 2025-05-26 »; other strings are returned as they are (validateCampaign judges them). */
export function normaliseDay(v: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any JSON value, quoted as String() writes it in validateCampaign's message
  if (typeof v !== 'string') return v === undefined || v === null ? '' : String(v);
  const s = v.trim();
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : s;
}

/** 40 → 4000 basis points (two decimals at most; validateCampaign judges the range). */
function percentToBp(v: unknown): number {
  return typeof v === 'number' ? Math.round(v * 100) : NaN;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the operator's JSON for campaign `annee` (structure only; `validateCampaign` checks the dates). */
export function parseCampaignJson(text: string, annee: number): CampaignJsonResult {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, errors: [`Le fichier n’est pas du JSON valide (${e instanceof Error ? e.message : String(e)}).`] };
  }
  return campaignFromData(data, annee);
}

/**
 * The calendar of a value shaped like the operator's JSON (the file of `campagne-modifier`, or the
 * operator's form turned into the same shape): structure only, `validateCampaign` checks the dates.
 */
export function campaignFromData(data: unknown, annee: number): CampaignJsonResult {
  const errors: string[] = [];
  if (!isObject(data)) return { ok: false, errors: ['Le fichier doit contenir un objet JSON { … } décrivant le calendrier.'] };
  for (const k of Object.keys(data))
    if (!TOP_KEYS.has(k)) errors.push(`Clé inconnue « ${k} » (clés possibles : ${[...TOP_KEYS].join(', ')}).`);
  if (data.annee !== undefined && data.annee !== annee && data.annee !== String(annee))
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any JSON value, quoted as the operator wrote it
    errors.push(`Le fichier décrit la campagne ${String(data.annee)}, pas la campagne ${annee} demandée.`);
  if (data.source !== undefined && typeof data.source !== 'string')
    errors.push('« source » doit être un texte (l’arrêté qui fixe le calendrier).');

  const periodes: Periode[] = [];
  if (!Array.isArray(data.periodes)) errors.push('« periodes » doit être une liste de périodes { "debut": …, "fin": … }.');
  else
    data.periodes.forEach((p, i) => {
      if (!isObject(p)) {
        errors.push(`Période ${i + 1} : un objet { "debut": …, "fin": … } est attendu.`);
        return;
      }
      for (const k of Object.keys(p))
        if (!PERIOD_KEYS.has(k)) errors.push(`Période ${i + 1} : clé inconnue « ${k} » (debut, fin, numero).`);
      if (p.numero !== undefined && !Number.isInteger(p.numero)) errors.push(`Période ${i + 1} : « numero » doit être un nombre entier.`);
      periodes.push({ numero: p.numero === undefined ? i + 1 : Number(p.numero), debut: normaliseDay(p.debut), fin: normaliseDay(p.fin) });
    });

  const vagues: Vague[] = [];
  if (!Array.isArray(data.vagues)) errors.push('« vagues » doit être une liste de virements { "date": …, "periode": … }.');
  else
    data.vagues.forEach((v, i) => {
      if (!isObject(v)) {
        errors.push(`Virement ${i + 1} : un objet { "date": …, "periode": … } est attendu.`);
        return;
      }
      for (const k of Object.keys(v))
        if (!WAVE_KEYS.has(k)) errors.push(`Virement ${i + 1} : clé inconnue « ${k} » (date, periode, numero).`);
      const per = v.periode ?? v.periodeNumero;
      if (!Number.isInteger(per)) errors.push(`Virement ${i + 1} : indiquez le numéro de la période qu’il verse (« periode »: 1, 2…).`);
      if (v.numero !== undefined && !Number.isInteger(v.numero)) errors.push(`Virement ${i + 1} : « numero » doit être un nombre entier.`);
      vagues.push({ numero: v.numero === undefined ? i + 1 : Number(v.numero), date: normaliseDay(v.date), periodeNumero: Number(per) });
    });

  if (data.reliquatPartRegionale !== undefined && typeof data.reliquatPartRegionale !== 'number')
    errors.push('« reliquatPartRegionale » est un pourcentage, par exemple 40.');
  if (errors.length) return { ok: false, errors };
  const campaign: Campaign = {
    annee,
    etablissementsOuverture: normaliseDay(data.etablissementsOuverture),
    employeursOuverture: normaliseDay(data.employeursOuverture),
    periodes,
    vagues,
    reliquat: normaliseDay(data.reliquat),
    ...(data.redesignationFin !== undefined ? { redesignationFin: normaliseDay(data.redesignationFin) } : {}),
    ...(data.reliquatPartRegionale !== undefined ? { reliquatRegionaleBp: percentToBp(data.reliquatPartRegionale) } : {}),
    ...(typeof data.source === 'string' && data.source.trim() ? { source: data.source.trim() } : {}),
  };
  return { ok: true, campaign };
}

/** The calendar as the operator writes it (the template `campagne <année> --json` prints). */
export function campaignToJson(c: Campaign): string {
  return JSON.stringify(
    {
      ...openingsAndPeriods(c),
      vagues: c.vagues.map((v) => ({ numero: v.numero, date: v.date, periode: v.periodeNumero })),
      reliquat: c.reliquat,
      ...(c.redesignationFin ? { redesignationFin: c.redesignationFin } : {}),
      ...(c.reliquatRegionaleBp !== undefined ? { reliquatPartRegionale: c.reliquatRegionaleBp / 100 } : {}),
      ...(c.source ? { source: c.source } : {}),
    },
    null,
    2,
  );
}

/** The calendar and where it stands at `now`, in French (`campagne <année>`). */
export function formatCampaign(c: Campaign, now: Date, origine: string): string[] {
  const lines = [`Campagne ${c.annee} (${origine})`];
  if (c.source) lines.push(`Source : ${c.source}`);
  lines.push(`  Ouverture aux établissements : ${formatJour(c.etablissementsOuverture)}`);
  lines.push(`  Ouverture aux employeurs : ${formatJour(c.employeursOuverture)}`);
  for (const p of c.periodes) lines.push(`  Période de répartition ${p.numero} : du ${formatJour(p.debut)} au ${formatJour(p.fin)} inclus`);
  for (const v of c.vagues)
    lines.push(`  Virement ${v.numero} (attributions de la période ${v.periodeNumero}) : à partir du ${formatJour(v.date)}`);
  lines.push(`  Re-désignation des parts non versables : jusqu’au ${formatJour(redesignationDeadline(c))} inclus`);
  lines.push(
    `  Répartition des fonds non affectés : à partir du ${formatJour(c.reliquat)} (part régionale ${reliquatRegionaleBp(c) / 100} %, part nationale ${100 - reliquatRegionaleBp(c) / 100} %)`,
  );
  const w = allocationWindow(c);
  lines.push(`Fenêtre de répartition : ${w.jours} jours (au moins ${w.minimum} jours, deux mois, article D. 6241-27 du code du travail).`);
  lines.push(`Le ${formatLongDateTime(now)} (heure de Paris) : ${describePhase(c, phaseAt(c, now))}`);
  lines.push(
    correctionMomentAt(c, now) === 'pendant_campagne'
      ? 'Une déclaration corrective reçue maintenant ajusterait les crédits de la campagne (CGU art. 6.1.3).'
      : 'Une déclaration corrective reçue maintenant serait reportée sur la campagne suivante (CGU art. 6.1.3).',
  );
  return lines;
}

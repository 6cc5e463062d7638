/**
 * The operator's calendar form (`/operateur/campagnes/<année>/modifier`): its fields read into the shape
 * of `campagne-modifier`'s JSON, then checked and saved by the very code of that command
 * (`campaignFromData`, then `saveCampaign` and its `validateCampaign`, docs/regles.md#calendrier): one
 * rule, two entry points. Field names: `etablissementsOuverture`, `employeursOuverture`,
 * `periodes.<i>.debut|fin`, `vagues.<i>.date|periode`, `reliquat`, `redesignationFin`,
 * `reliquatPartRegionale` (a percentage), `source`. A period or wave row left blank is dropped (that is
 * how the operator removes one).
 */
import type { Campaign } from '../../domain/campagne.js';
import type { CampaignError } from '../../domain/campagne-validation.js';
import { addMonths, isJour } from '../../domain/jours.js';
import type { Tx } from '../../infra/db/index.js';
import { failure, FORM_ERRORS, type Outcome } from '../../shared/problem.js';
import { campaignFromData } from './calendar-json.js';
import { listCampaigns, saveCampaign, type CampaignEditor } from './repository.js';

/** At most this many period and wave rows are read (validateCampaign allows 12 periods). */
const MAX_ROWS = 24;

export interface CampaignFormValues {
  etablissementsOuverture: string;
  employeursOuverture: string;
  periodes: { debut: string; fin: string }[];
  vagues: { date: string; periode: string }[];
  reliquat: string;
  redesignationFin: string;
  reliquatPartRegionale: string;
  source: string;
}

const str = (body: Record<string, unknown>, key: string): string => {
  const v = body[key];
  const s = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
  return s.trim().slice(0, 500);
};

/** The form's values as typed (blank rows dropped unless `keepBlank`). */
export function formValuesOf(raw: unknown, keepBlank = false): CampaignFormValues {
  const body = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const periodes: CampaignFormValues['periodes'] = [];
  const vagues: CampaignFormValues['vagues'] = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const p = { debut: str(body, `periodes.${i}.debut`), fin: str(body, `periodes.${i}.fin`) };
    if (keepBlank ? `periodes.${i}.debut` in body : p.debut || p.fin) periodes.push(p);
    const v = { date: str(body, `vagues.${i}.date`), periode: str(body, `vagues.${i}.periode`) };
    if (keepBlank ? `vagues.${i}.date` in body : v.date) vagues.push(v);
  }
  return {
    etablissementsOuverture: str(body, 'etablissementsOuverture'),
    employeursOuverture: str(body, 'employeursOuverture'),
    periodes,
    vagues,
    reliquat: str(body, 'reliquat'),
    redesignationFin: str(body, 'redesignationFin'),
    reliquatPartRegionale: str(body, 'reliquatPartRegionale'),
    source: str(body, 'source'),
  };
}

/** A calendar shown in the form. */
export function formValuesOfCampaign(c: Campaign): CampaignFormValues {
  return {
    etablissementsOuverture: c.etablissementsOuverture,
    employeursOuverture: c.employeursOuverture,
    periodes: c.periodes.map((p) => ({ debut: p.debut, fin: p.fin })),
    vagues: c.vagues.map((v) => ({ date: v.date, periode: String(v.periodeNumero) })),
    reliquat: c.reliquat,
    redesignationFin: c.redesignationFin ?? '',
    reliquatPartRegionale: c.reliquatRegionaleBp === undefined ? '' : String(c.reliquatRegionaleBp / 100).replace('.', ','),
    source: c.source ?? '',
  };
}

/** validateCampaign's field path → the form's field name. */
function formField(path: string): string {
  if (path === 'reliquatRegionaleBp') return 'reliquatPartRegionale';
  if (/^vagues\.\d+\.periodeNumero$/.test(path)) return path.replace(/periodeNumero$/, 'periode');
  if (/^(periodes|vagues)\.\d+\.numero$/.test(path)) return path.split('.')[0]!;
  return path;
}

/** Every message on its field (the first one per field), the others on the form. */
export function formErrors(errors: readonly CampaignError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const k = formField(e.field);
    out[k] = out[k] ? `${out[k]} ${e.message}` : e.message;
  }
  return out;
}

/** The form read as `campagne-modifier`'s JSON would be, then its structure checked by the same code. */
export function campaignOfForm(
  v: CampaignFormValues,
  annee: number,
): { ok: true; campaign: Campaign } | { ok: false; errors: CampaignError[] } {
  const pct = v.reliquatPartRegionale.replace(',', '.');
  if (pct && !/^\d{1,3}(\.\d{1,2})?$/.test(pct))
    return { ok: false, errors: [{ field: 'reliquatRegionaleBp', message: 'La part régionale : un pourcentage, par exemple 40.' }] };
  const data = {
    etablissementsOuverture: v.etablissementsOuverture,
    employeursOuverture: v.employeursOuverture,
    periodes: v.periodes.map((p) => ({ debut: p.debut, fin: p.fin })),
    vagues: v.vagues.map((w) => ({ date: w.date, periode: /^\d{1,2}$/.test(w.periode) ? Number(w.periode) : w.periode })),
    reliquat: v.reliquat,
    ...(v.redesignationFin ? { redesignationFin: v.redesignationFin } : {}),
    ...(pct ? { reliquatPartRegionale: Number(pct) } : {}),
    ...(v.source ? { source: v.source } : {}),
  };
  const r = campaignFromData(data, annee);
  return r.ok ? r : { ok: false, errors: r.errors.map((message) => ({ field: '_form', message })) };
}

export type SavedForm = { campaign: Campaign; created: boolean; changed: boolean };

/**
 * Saves the form's calendar for `annee` by `editor`: refused with every French message on its field
 * (`invalid`, nothing written), else saved and audited by `saveCampaign`.
 */
export async function saveCampaignForm(
  ctx: Parameters<typeof saveCampaign>[0],
  annee: number,
  values: CampaignFormValues,
  editor: CampaignEditor,
): Promise<Outcome<SavedForm>> {
  const read = campaignOfForm(values, annee);
  const r = read.ok ? await saveCampaign(ctx, read.campaign, editor) : read;
  if (r.ok) return { ok: true, campaign: r.campaign, created: r.created, changed: r.changed };
  const n = r.errors.length;
  return failure('invalid', 'calendrier_refuse', `${FORM_ERRORS} Le calendrier n’a pas été modifié (${n} erreur${n > 1 ? 's' : ''}).`, {
    errors: formErrors(r.errors),
  });
}

/**
 * The calendar a new year's form starts from: its own (saved or preset) when it has one, else the latest
 * known calendar moved by whole years (the operator then corrects it to the new arrêté).
 */
export async function startingCalendar(db: Tx, annee: number) {
  const all = await listCampaigns(db);
  const own = all.find((s) => s.campaign.annee === annee);
  if (own) return { campaign: own.campaign, exists: true as const };
  const base = [...all].reverse().find((s) => s.campaign.annee < annee) ?? all[all.length - 1]!;
  const months = (annee - base.campaign.annee) * 12;
  const move = (j: string) => (isJour(j) ? addMonths(j, months) : j);
  const c = base.campaign;
  const moved: Campaign = {
    annee,
    etablissementsOuverture: move(c.etablissementsOuverture),
    employeursOuverture: move(c.employeursOuverture),
    periodes: c.periodes.map((p) => ({ numero: p.numero, debut: move(p.debut), fin: move(p.fin) })),
    vagues: c.vagues.map((v) => ({ numero: v.numero, date: move(v.date), periodeNumero: v.periodeNumero })),
    reliquat: move(c.reliquat),
    ...(c.redesignationFin ? { redesignationFin: move(c.redesignationFin) } : {}),
    ...(c.reliquatRegionaleBp !== undefined ? { reliquatRegionaleBp: c.reliquatRegionaleBp } : {}),
  };
  return { campaign: moved, exists: false as const, from: base.campaign.annee };
}

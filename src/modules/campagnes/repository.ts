/**
 * Campaign calendars (docs/regles.md#calendrier): each year's calendar is the one
 * the operator saved (`campagnes` table), else the preset of the arrêté (src/domain/campagne.ts).
 *
 * - `campaignOf(db, annee)`: the calendar of a year, or null when neither saved nor preset;
 * - `currentCampaign(ctx)`: the campaign of the clock's instant (the demo clock in development): the
 *   latest year whose establishments' opening has come, else the default year (2025);
 * - `saveCampaign(ctx, campaign, agent)`: checks the calendar with `validateCampaign` (French messages,
 *   nothing written on error), writes it and audits the change in one transaction, with the operator's
 *   agent who saved it from `/operateur/campagnes` (null from the command line `campagne-modifier`).
 */
import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import {
  CAMPAIGN_PRESETS,
  DEFAULT_CAMPAIGN_YEAR,
  DEFAULT_RELIQUAT_REGIONALE_BP,
  campaignPreset,
  openingsAndPeriods,
  type Campaign,
} from '../../domain/campagne.js';
import { validateCampaign, type CampaignError } from '../../domain/campagne-validation.js';
import { parisStartOfDay } from '../../domain/jours.js';
import { audit } from '../../infra/audit.js';
import type { Clock } from '../../infra/clock.js';
import type { Tx } from '../../infra/db/index.js';
import { campagnes } from '../../infra/db/schema.js';

export type CampaignOrigin = 'operateur' | 'arrete';

export interface StoredCampaign {
  campaign: Campaign;
  /** 'operateur': saved by the operator; 'arrete': the preset of the arrêté, never saved */
  origine: CampaignOrigin;
  updatedAt: Date | null;
  /** the operator's agent who saved it on screen (null from the command line or never saved) */
  updatedBy: string | null;
}

/** Who saves a calendar: an agent of the operator's space (null: the command line). */
export type CampaignEditor = { agentId: string; ip?: string | null } | null;

type Row = typeof campagnes.$inferSelect;

/** The calendar of a `campagnes` row (or of the same columns read as JSON by a larger query). */
export function campaignFromRow(
  r: Pick<Row, 'annee' | 'etablissementsOuverture' | 'employeursOuverture' | 'periodes' | 'vagues' | 'reliquat' | 'source'> &
    Partial<Pick<Row, 'redesignationFin' | 'reliquatRegionaleBp'>>,
): Campaign {
  return {
    ...openingsAndPeriods(r),
    vagues: r.vagues.map((v) => ({ numero: v.numero, date: v.date, periodeNumero: v.periodeNumero })),
    reliquat: r.reliquat,
    ...(r.redesignationFin ? { redesignationFin: r.redesignationFin } : {}),
    ...(r.reliquatRegionaleBp !== undefined && r.reliquatRegionaleBp !== DEFAULT_RELIQUAT_REGIONALE_BP
      ? { reliquatRegionaleBp: r.reliquatRegionaleBp }
      : {}),
    ...(r.source ? { source: r.source } : {}),
  };
}

/**
 * The calendar of a year the operator has not saved: the arrêté's preset, else the default year's dates
 * under this year's number (its every day is past, so nothing opens by accident).
 */
export function presetOrDefault(annee: number): Campaign {
  return campaignPreset(annee) ?? { ...campaignPreset(DEFAULT_CAMPAIGN_YEAR)!, annee };
}

function fromRow(r: Row): StoredCampaign {
  return {
    campaign: campaignFromRow(r),
    origine: 'operateur',
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
  };
}

/** The calendar of `annee` with where it comes from, or null when the year has none. */
export async function loadCampaign(db: Tx, annee: number): Promise<StoredCampaign | null> {
  if (!Number.isInteger(annee)) return null;
  const [row] = await db.select().from(campagnes).where(eq(campagnes.annee, annee)).limit(1);
  if (row) return fromRow(row);
  const preset = campaignPreset(annee);
  return preset ? { campaign: preset, origine: 'arrete', updatedAt: null, updatedBy: null } : null;
}

/** The calendar of `annee`: the operator's if saved, else the arrêté's preset, else null. */
export async function campaignOf(db: Tx, annee: number): Promise<Campaign | null> {
  return (await loadCampaign(db, annee))?.campaign ?? null;
}

/** Every known calendar (saved or preset), by year. */
export async function listCampaigns(db: Tx): Promise<StoredCampaign[]> {
  const rows = await db.select().from(campagnes).orderBy(asc(campagnes.annee));
  const byYear = new Map<number, StoredCampaign>();
  for (const annee of Object.keys(CAMPAIGN_PRESETS).map(Number))
    byYear.set(annee, { campaign: campaignPreset(annee)!, origine: 'arrete', updatedAt: null, updatedBy: null });
  for (const r of rows) byYear.set(r.annee, fromRow(r));
  return [...byYear.values()].sort((a, b) => a.campaign.annee - b.campaign.annee);
}

/**
 * The campaign at `now`: the latest year whose establishments' opening (00:00, Paris) has come; before
 * any, the default year's (2025, the demo's campaign).
 */
export function campaignAt(known: readonly Campaign[], now: Date): Campaign | null {
  let best: Campaign | null = null;
  for (const c of known) {
    if (parisStartOfDay(c.etablissementsOuverture).getTime() <= now.getTime() && (!best || c.annee > best.annee)) best = c;
  }
  return best ?? known.find((c) => c.annee === DEFAULT_CAMPAIGN_YEAR) ?? null;
}

/** The campaign of the application's clock (the demo clock when DEMO_NOW is set). */
export async function currentCampaign(ctx: Pick<AppContext, 'db' | 'clock'>): Promise<Campaign> {
  const all = (await listCampaigns(ctx.db)).map((s) => s.campaign);
  return campaignAt(all, ctx.clock.now()) ?? campaignPreset(DEFAULT_CAMPAIGN_YEAR)!;
}

export type SaveCampaignResult =
  { ok: true; campaign: Campaign; created: boolean; changed: boolean } | { ok: false; errors: CampaignError[] };

function sameCampaign(a: Campaign, b: Campaign): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(c: Campaign): Campaign {
  return { ...campaignFromRow({ ...c, source: c.source ?? null }), source: c.source ?? '' };
}

/**
 * Saves the calendar of `campaign.annee` for the operator: refused with every French message of
 * `validateCampaign` when wrong (nothing written); otherwise upserted and audited (before and after)
 * in one transaction. Saving the same calendar again changes nothing and writes no audit event.
 */
export async function saveCampaign(
  ctx: Pick<AppContext, 'db'> & { clock: Clock },
  campaign: Campaign,
  editor: CampaignEditor,
): Promise<SaveCampaignResult> {
  const errors = validateCampaign(campaign);
  if (campaign.source !== undefined && (typeof campaign.source !== 'string' || campaign.source.length > 500))
    errors.push({ field: 'source', message: 'La source (arrêté) est un texte de 500 caractères au plus.' });
  if (errors.length) return { ok: false, errors };
  const c = normalise(campaign);
  return ctx.db.transaction(async (tx) => {
    const before = await loadCampaign(tx, c.annee);
    const [row] = await tx.select({ annee: campagnes.annee }).from(campagnes).where(eq(campagnes.annee, c.annee)).for('update');
    if (before && row && sameCampaign(before.campaign, c))
      return { ok: true as const, campaign: before.campaign, created: false, changed: false };
    const now = ctx.clock.now();
    const values = {
      etablissementsOuverture: c.etablissementsOuverture,
      employeursOuverture: c.employeursOuverture,
      periodes: c.periodes,
      vagues: c.vagues,
      reliquat: c.reliquat,
      redesignationFin: c.redesignationFin ?? null,
      reliquatRegionaleBp: c.reliquatRegionaleBp ?? DEFAULT_RELIQUAT_REGIONALE_BP,
      source: c.source || null,
      updatedAt: now,
      updatedBy: editor?.agentId ?? null,
    };
    await tx
      .insert(campagnes)
      .values({ annee: c.annee, ...values })
      .onConflictDoUpdate({ target: campagnes.annee, set: values });
    await audit(tx, ctx.clock, {
      action: 'campagne.updated',
      actorAgentId: editor?.agentId ?? null,
      ip: editor?.ip ?? null,
      details: { annee: c.annee, avant: before ? { origine: before.origine, ...normalise(before.campaign) } : null, apres: c },
    });
    const saved = (await loadCampaign(tx, c.annee))!.campaign;
    return { ok: true as const, campaign: saved, created: !row, changed: true };
  });
}

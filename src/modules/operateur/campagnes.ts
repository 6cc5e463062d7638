/**
 * « Campagnes » of the operator's space: every known calendar (saved by the operator or the arrêté's
 * preset) with where it stands today and who saved it last, and one calendar with its timeline. Saving
 * is `saveCampaignForm` (campagnes/formulaire.ts), the checks of `campagne-modifier`.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { describePhase, phaseAt, type Campaign } from '../../domain/campagne.js';
import { selectRows } from '../../infra/db/index.js';
import { campaignTimeline, type Timeline } from '../campagnes/frise.js';
import { listCampaigns, loadCampaign, type CampaignOrigin } from '../campagnes/repository.js';

export interface CampaignSummary {
  campaign: Campaign;
  origine: CampaignOrigin;
  updatedAt: Date | null;
  /** the agent who saved it last (prénom nom), null from the command line or never saved */
  updatedByName: string | null;
  phase: string;
}

async function agentNames(ctx: AppContext, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await selectRows<{ id: string; nom: string }>(
    ctx.db,
    sql`select id::text, prenom || ' ' || nom as nom from agents where id::text in (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`,
  );
  return new Map(rows.map((r) => [r.id, r.nom]));
}

/** Every calendar, by year, with today's phase. */
export async function campaignsOverview(ctx: AppContext): Promise<CampaignSummary[]> {
  const all = await listCampaigns(ctx.db);
  const names = await agentNames(ctx, [...new Set(all.flatMap((s) => (s.updatedBy ? [s.updatedBy] : [])))]);
  const now = ctx.clock.now();
  return all.map((s) => ({
    campaign: s.campaign,
    origine: s.origine,
    updatedAt: s.updatedAt,
    updatedByName: s.updatedBy ? (names.get(s.updatedBy) ?? null) : null,
    phase: describePhase(s.campaign, phaseAt(s.campaign, now)),
  }));
}

export interface CampaignDetail extends CampaignSummary {
  timeline: Timeline;
}

/** One year's calendar with its timeline at the clock's instant, or null when the year has none. */
export async function campaignDetail(ctx: AppContext, annee: number): Promise<CampaignDetail | null> {
  const s = await loadCampaign(ctx.db, annee);
  if (!s) return null;
  const names = await agentNames(ctx, s.updatedBy ? [s.updatedBy] : []);
  const now = ctx.clock.now();
  return {
    campaign: s.campaign,
    origine: s.origine,
    updatedAt: s.updatedAt,
    updatedByName: s.updatedBy ? (names.get(s.updatedBy) ?? null) : null,
    phase: describePhase(s.campaign, phaseAt(s.campaign, now)),
    timeline: campaignTimeline(s.campaign, now),
  };
}

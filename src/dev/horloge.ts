/**
 * The demo clock (development only): where the application's instant stands in a campaign, and how it
 * moves — to the start of a phase, to a chosen instant (Paris time), back to DEMO_NOW or to real time.
 * It moves only when DEMO_NOW is set (the clock is then a ShiftableClock, see src/app.ts).
 */
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { DEFAULT_CAMPAIGN_YEAR, describePhase, phaseAt } from '../domain/campagne.js';
import { formatJour, parisOffsetMs } from '../domain/jours.js';
import { ShiftableClock } from '../infra/clock.js';
import { parseInstant } from '../infra/config.js';
import { currentTarget, phaseTargets } from '../modules/campagnes/phases.js';
import { listCampaigns, loadCampaign } from '../modules/campagnes/repository.js';
import { formatLongDateTime } from '../shared/format.js';
import { failure, type Failure, type ProblemKind } from '../shared/problem.js';

// ── instants ────────────────────────────────────────────────────────────────────────────────────────

/** `AAAA-MM-JJTHH:MM[:SS]` read as Paris wall-clock time (what a datetime-local field sends). */
export function parisLocalInstant(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59)
    return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let t = wall - parisOffsetMs(wall);
  t = wall - parisOffsetMs(t);
  return new Date(t);
}

/** The Paris wall-clock time of an instant, as a datetime-local field shows it (AAAA-MM-JJTHH:MM). */
export function parisLocalValue(d: Date): string {
  return new Date(d.getTime() + parisOffsetMs(d.getTime())).toISOString().slice(0, 16);
}

/** « En avance de 2 jours et 3 h sur l’heure réelle. » */
export function describeShift(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return 'À l’heure réelle.';
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const amount =
    days > 0
      ? `${days} jour${days > 1 ? 's' : ''}${hours ? ` et ${hours} h` : ''}`
      : hours > 0
        ? `${hours} h`
        : `${Math.floor(abs / 60_000)} min`;
  return ms > 0 ? `En avance de ${amount} sur l’heure réelle.` : `En retard de ${amount} sur l’heure réelle.`;
}

// ── where the clock stands ──────────────────────────────────────────────────────────────────────────

/** The campaign year of `?annee=` (2023 to 2100), else the default year. */
export function yearOf(query: unknown): number {
  const raw = (query as Record<string, unknown> | undefined)?.annee;
  const y = typeof raw === 'string' && /^\d{4}$/.test(raw) ? Number(raw) : DEFAULT_CAMPAIGN_YEAR;
  return y >= 2023 && y <= 2100 ? y : DEFAULT_CAMPAIGN_YEAR;
}

const movable = (ctx: AppContext) => (ctx.clock instanceof ShiftableClock ? ctx.clock : null);

/** The clock's instant, the campaign of `annee` (else the default year's), its phases and the current one. */
export async function horlogeState(ctx: AppContext, annee: number) {
  const now = ctx.clock.now();
  const stored = (await loadCampaign(ctx.db, annee)) ?? (await loadCampaign(ctx.db, DEFAULT_CAMPAIGN_YEAR))!;
  const campaign = stored.campaign;
  const targets = phaseTargets(campaign);
  const current = currentTarget(targets, now);
  return { now, stored, campaign, targets, current, clock: movable(ctx), phase: describePhase(campaign, phaseAt(campaign, now)) };
}

export type HorlogeState = Awaited<ReturnType<typeof horlogeState>>;

/** What the page shows: every date in French, Paris time. */
export async function horlogeView(ctx: AppContext, s: HorlogeState) {
  const annees = (await listCampaigns(ctx.db)).map((c) => c.campaign.annee);
  return {
    maintenant: formatLongDateTime(s.now),
    maintenantIso: s.now.toISOString(),
    maintenantLocal: parisLocalValue(s.now),
    deplacable: s.clock !== null,
    initial: s.clock ? formatLongDateTime(s.clock.initial) : null,
    ecart: s.clock ? describeShift(s.clock.shiftMs) : null,
    annee: s.campaign.annee,
    origine: s.stored.origine === 'arrete' ? 'de l’arrêté' : 'enregistré par l’opérateur',
    phase: s.phase,
    targets: s.targets.map((t) => ({ cible: t.cible, label: t.label, jour: formatJour(t.jour), current: s.current?.cible === t.cible })),
    annees,
  };
}

// ── moving it ───────────────────────────────────────────────────────────────────────────────────────

const SPECIAL = ['demo-now', 'heure-reelle'] as const;

export const horlogeBody = z.object({
  cible: z.string({ error: 'Choisissez une étape.' }).max(40, 'Étape inconnue.').optional(),
  instant: z.string({ error: 'Saisissez une date et une heure.' }).max(60, 'Date et heure trop longues.').optional(),
  annee: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : v),
    z.coerce.number({ error: 'Année de campagne incorrecte.' }).int().min(2023).max(2100).optional(),
  ),
});

/** A refusal names its field; `values` is what the form shows again. */
export type MoveRefusal = Failure & { values: Record<string, unknown> };

const refuse = (kind: ProblemKind, code: string, field: string, message: string, values: Record<string, unknown> = {}): MoveRefusal => ({
  ...failure(kind, code, message, { errors: { [field]: message } }),
  values,
});

/** Moves the demo clock to a phase of campaign `annee`, to a chosen instant, to DEMO_NOW or to real time. */
export async function moveClock(ctx: AppContext, annee: number, input: z.infer<typeof horlogeBody>): Promise<{ ok: true } | MoveRefusal> {
  const clock = movable(ctx);
  if (!clock)
    return refuse(
      'conflict',
      'horloge_reelle',
      '_form',
      'L’horloge suit l’heure réelle : démarrez l’application avec DEMO_NOW pour pouvoir la déplacer.',
    );
  const { cible, instant } = input;
  if (cible && instant)
    return refuse('invalid', 'etape_et_instant', 'instant', 'Choisissez soit une étape, soit un instant, pas les deux.', { instant });
  if (cible === 'demo-now') clock.reset();
  else if (cible === 'heure-reelle') clock.real();
  else if (cible) {
    const s = await horlogeState(ctx, annee);
    const target = s.targets.find((t) => t.cible === cible);
    if (!target)
      return refuse(
        'invalid',
        'etape_inconnue',
        'cible',
        `Étape inconnue pour la campagne ${s.campaign.annee} : ${[...s.targets.map((t) => t.cible), ...SPECIAL].join(', ')}.`,
      );
    clock.set(target.instant);
  } else {
    const at = wantedInstant(instant ?? '');
    if (!at.ok) return at;
    clock.set(at.instant);
  }
  return { ok: true };
}

/** The instant typed: Paris wall-clock time or ISO 8601, between 2020 and 2100. */
function wantedInstant(typed: string): { ok: true; instant: Date } | MoveRefusal {
  const raw = typed.trim();
  const values = { instant: raw };
  if (raw === '')
    return refuse('invalid', 'instant_manquant', 'instant', 'Saisissez une date et une heure, par exemple le 2 juin 2025 à 09:00.', values);
  const at = parisLocalInstant(raw) ?? parseInstant(raw);
  if (!at)
    return refuse(
      'invalid',
      'instant_incorrect',
      'instant',
      'Date et heure incorrectes : saisissez un jour et une heure qui existent (JJ/MM/AAAA HH:MM), par exemple le 2 juin 2025 à 09:00.',
      values,
    );
  if (at.getUTCFullYear() < 2020 || at.getUTCFullYear() > 2100)
    return refuse('invalid', 'instant_hors_limites', 'instant', 'Choisissez un instant entre 2020 et 2100.', values);
  return { ok: true, instant: at };
}

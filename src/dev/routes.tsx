/**
 * Development only (no SMTP_URL, NODE_ENV ≠ production; registered by src/http/server.ts when
 * `config.devOutbox`):
 * - the mail outbox readable in the browser, so a person trying the demo can follow validation and
 *   reset links;
 * - the demo clock (`/dev/horloge`): the application's instant, the phases of a campaign, and forms to
 *   move the clock to the start of any phase or to a chosen instant (DEMO_NOW must be set: the clock is
 *   then a ShiftableClock, see src/app.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_CAMPAIGN_YEAR, describePhase, formatJour, parisOffsetMs, phaseAt } from '../domain/campagne.js';
import { parseBody, type FieldErrors } from '../shared/fields.js';
import { sendJsonErrors, wantsJson } from '../http/legacy.js';
import { pageContext, redirect, sendPage } from '../http/respond.js';
import { ShiftableClock } from '../infra/clock.js';
import { parseInstant } from '../infra/config.js';
import { listOutbox } from '../infra/mail.js';
import { Layout } from '../web/layout.js';
import { formatDateTimeShort as formatDateTime } from '../shared/format.js';
import { DevHorlogePage } from '../web/pages/dev-horloge.js';
import { formatParisInstant } from '../modules/campagnes/calendar-json.js';
import { phaseTargets, currentTarget } from '../modules/campagnes/phases.js';
import { listCampaigns, loadCampaign } from '../modules/campagnes/repository.js';

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
function parisLocalValue(d: Date): string {
  return new Date(d.getTime() + parisOffsetMs(d.getTime())).toISOString().slice(0, 16);
}

function describeShift(ms: number): string {
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

const SPECIAL = ['demo-now', 'heure-reelle'] as const;

const horlogeBody = z.object({
  cible: z.string({ error: 'Choisissez une étape.' }).max(40, 'Étape inconnue.').optional(),
  instant: z.string({ error: 'Saisissez une date et une heure.' }).max(60, 'Date et heure trop longues.').optional(),
  annee: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : v),
    z.coerce.number({ error: 'Année de campagne incorrecte.' }).int().min(2023).max(2100).optional(),
  ),
});

const yearOf = (q: unknown): number => {
  const raw = (q as Record<string, unknown> | undefined)?.annee;
  const y = typeof raw === 'string' && /^\d{4}$/.test(raw) ? Number(raw) : DEFAULT_CAMPAIGN_YEAR;
  return y >= 2023 && y <= 2100 ? y : DEFAULT_CAMPAIGN_YEAR;
};

export async function devRoutes(app: FastifyInstance) {
  app.get('/dev/boite-mail', { schema: { hide: true } }, async (req, reply) => {
    const mails = await listOutbox(app.ctx.db, 50);
    if (req.headers.accept?.includes('application/json') && !req.headers.accept.includes('text/html')) return reply.send({ mails });
    return sendPage(
      reply,
      <Layout ctx={pageContext(req)} title="Boîte mail de développement">
        <h1>Boîte mail de développement</h1>
        <p>Sans serveur SMTP configuré (SMTP_URL), les courriels sont conservés ici. Les plus récents d’abord.</p>
        {mails.length === 0 ? <p>Aucun courriel.</p> : null}
        {mails.map((m) => (
          <article key={m.id} className="fr-card fr-p-3w fr-mb-2w">
            <h2 className="fr-h6">{m.subject}</h2>
            <p className="fr-text--sm">
              À : {m.to} · {formatDateTime(m.createdAt)}
            </p>
            <div className="mail-body">
              {m.text.split(/(https?:\/\/\S+)/).map((part, i) =>
                /^https?:\/\//.test(part) ? (
                  <a key={i} href={part.replace(/^https?:\/\/[^/]+/, '')}>
                    {part}
                  </a>
                ) : (
                  <span key={i}>{part}</span>
                ),
              )}
            </div>
          </article>
        ))}
      </Layout>,
    );
  });

  /** The state of the demo clock, for the page and for JSON clients. */
  async function horlogeState(annee: number) {
    const ctx = app.ctx;
    const now = ctx.clock.now();
    const stored = (await loadCampaign(ctx.db, annee)) ?? (await loadCampaign(ctx.db, DEFAULT_CAMPAIGN_YEAR))!;
    const campaign = stored.campaign;
    const targets = phaseTargets(campaign);
    const current = currentTarget(targets, now);
    const clock = ctx.clock instanceof ShiftableClock ? ctx.clock : null;
    return { now, stored, campaign, targets, current, clock, phase: describePhase(campaign, phaseAt(campaign, now)) };
  }

  async function sendHorloge(
    req: FastifyRequest,
    reply: FastifyReply,
    annee: number,
    extra: { status?: number; errors?: FieldErrors; values?: Record<string, unknown> } = {},
  ) {
    const s = await horlogeState(annee);
    const annees = (await listCampaigns(app.ctx.db)).map((c) => c.campaign.annee);
    const noticeCode = (req.query as Record<string, unknown> | undefined)?.notice;
    return sendPage(
      reply,
      <DevHorlogePage
        ctx={pageContext(req)}
        maintenant={formatParisInstant(s.now)}
        maintenantIso={s.now.toISOString()}
        maintenantLocal={parisLocalValue(s.now)}
        deplacable={s.clock !== null}
        initial={s.clock ? formatParisInstant(s.clock.initial) : null}
        ecart={s.clock ? describeShift(s.clock.shiftMs) : null}
        annee={s.campaign.annee}
        origine={s.stored.origine === 'arrete' ? 'de l’arrêté' : 'enregistré par l’opérateur'}
        phase={s.phase}
        targets={s.targets.map((t) => ({
          cible: t.cible,
          label: t.label,
          jour: formatJour(t.jour),
          current: s.current?.cible === t.cible,
        }))}
        annees={annees}
        {...(noticeCode === 'deplacee' && !extra.errors ? { notice: `L’horloge a été déplacée au ${formatParisInstant(s.now)}.` } : {})}
        {...(extra.errors ? { errors: extra.errors } : {})}
        {...(extra.values ? { values: extra.values } : {})}
      />,
      extra.status ?? 200,
    );
  }

  app.get('/dev/horloge', { schema: { hide: true } }, async (req, reply) => {
    const annee = yearOf(req.query);
    if (wantsJson(req)) {
      const s = await horlogeState(annee);
      return reply.send({
        maintenant: s.now.toISOString(),
        deplacable: s.clock !== null,
        demoNow: s.clock?.initial.toISOString() ?? null,
        campagne: s.campaign.annee,
        phase: s.phase,
        etapes: s.targets.map((t) => ({
          cible: t.cible,
          libelle: t.label,
          instant: t.instant.toISOString(),
          enCours: s.current?.cible === t.cible,
        })),
      });
    }
    return sendHorloge(req, reply, annee);
  });

  app.post('/dev/horloge', { schema: { hide: true } }, async (req, reply) => {
    const json = wantsJson(req);
    const parsed = parseBody(horlogeBody, req.body);
    const annee = parsed.ok && parsed.data.annee ? parsed.data.annee : yearOf(req.query);
    const fail = (errors: FieldErrors, values: Record<string, unknown>, status = 400) =>
      json
        ? sendJsonErrors(reply, status, Object.values(errors)[0] ?? 'Requête incorrecte.', errors)
        : sendHorloge(req, reply, annee, { status, errors, values });
    if (!parsed.ok) return fail(parsed.errors, parsed.values);
    const clock = app.ctx.clock instanceof ShiftableClock ? app.ctx.clock : null;
    if (!clock)
      return fail({ _form: 'L’horloge suit l’heure réelle : démarrez l’application avec DEMO_NOW pour pouvoir la déplacer.' }, {}, 409);
    const { cible, instant } = parsed.data;
    if (cible && instant) return fail({ instant: 'Choisissez soit une étape, soit un instant, pas les deux.' }, { instant });
    if (cible === 'demo-now') clock.reset();
    else if (cible === 'heure-reelle') clock.real();
    else if (cible) {
      const s = await horlogeState(annee);
      const target = s.targets.find((t) => t.cible === cible);
      if (!target)
        return fail(
          { cible: `Étape inconnue pour la campagne ${s.campaign.annee} : ${[...s.targets.map((t) => t.cible), ...SPECIAL].join(', ')}.` },
          {},
        );
      clock.set(target.instant);
    } else {
      const raw = (instant ?? '').trim();
      if (raw === '') return fail({ instant: 'Saisissez une date et une heure, par exemple le 2 juin 2025 à 09:00.' }, { instant: raw });
      const at = parisLocalInstant(raw) ?? parseInstant(raw);
      if (!at)
        return fail(
          {
            instant:
              'Date et heure incorrectes : saisissez un jour et une heure qui existent (JJ/MM/AAAA HH:MM), par exemple le 2 juin 2025 à 09:00.',
          },
          { instant: raw },
        );
      if (at.getUTCFullYear() < 2020 || at.getUTCFullYear() > 2100)
        return fail({ instant: 'Choisissez un instant entre 2020 et 2100.' }, { instant: raw });
      clock.set(at);
    }
    if (json) {
      const s = await horlogeState(annee);
      return reply.send({ maintenant: s.now.toISOString(), campagne: s.campaign.annee, phase: s.phase, etape: s.current?.cible ?? null });
    }
    return redirect(reply, `/dev/horloge${annee === DEFAULT_CAMPAIGN_YEAR ? '' : `?annee=${annee}`}`, 'deplacee');
  });
}

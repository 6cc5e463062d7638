/** The demo clock: its page (and its state as JSON), and the form that moves it. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../http/respond.js';
import { route } from '../../http/route.js';
import { DEFAULT_CAMPAIGN_YEAR } from '../../domain/campagne.js';
import { formatLongDateTime } from '../../shared/format.js';
import { parseBody, type FieldErrors } from '../../shared/fields.js';
import { invalidForm } from '../../shared/problem.js';
import { DevHorlogePage } from '../../web/pages/dev-horloge.js';
import { horlogeBody, horlogeState, horlogeView, moveClock, yearOf } from '../horloge.js';

const doc = { summary: '', tags: ['Développement'], access: 'public' as const, hide: true };

export async function horlogeRoutes(app: FastifyInstance) {
  app.get('/dev/horloge', route({ ...doc, operationId: 'horlogeDemonstration' }), showClock);
  app.post('/dev/horloge', route({ ...doc, operationId: 'deplacerHorloge', body: horlogeBody }), moveTheClock);
}

/** The page of campaign `annee`: after a move, its notice; after a refusal, the form's messages and values. */
async function clockPage(req: FastifyRequest, annee: number, refusal?: { errors: FieldErrors; values: Record<string, unknown> }) {
  const ctx = req.server.ctx;
  const s = await horlogeState(ctx, annee);
  const view = await horlogeView(ctx, s);
  const moved = (req.query as Record<string, unknown> | undefined)?.notice === 'deplacee' && !refusal;
  return (
    <DevHorlogePage
      ctx={pageContext(req)}
      {...view}
      {...(moved ? { notice: `L’horloge a été déplacée au ${formatLongDateTime(s.now)}.` } : {})}
      {...(refusal ? { errors: refusal.errors, values: refusal.values } : {})}
    />
  );
}

async function showClock(req: FastifyRequest, reply: FastifyReply) {
  const annee = yearOf(req.query);
  return respond(req, reply, {
    json: async () => {
      const s = await horlogeState(req.server.ctx, annee);
      return {
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
      };
    },
    page: () => clockPage(req, annee),
  });
}

async function moveTheClock(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const parsed = parseBody(horlogeBody, req.body);
  if (!parsed.ok) {
    const problem = invalidForm(parsed.errors, Object.values(parsed.errors)[0] ?? 'Requête incorrecte.');
    return respond(req, reply, {
      problem,
      page: () => clockPage(req, yearOf(req.query), { errors: parsed.errors, values: parsed.values }),
    });
  }
  const annee = parsed.data.annee ?? yearOf(req.query);
  const r = await moveClock(ctx, annee, parsed.data);
  if (!r.ok)
    return respond(req, reply, {
      problem: r.problem,
      page: () => clockPage(req, annee, { errors: r.problem.errors ?? {}, values: r.values }),
    });
  return respond(req, reply, {
    json: async () => {
      const s = await horlogeState(ctx, annee);
      return { maintenant: s.now.toISOString(), campagne: s.campaign.annee, phase: s.phase, etape: s.current?.cible ?? null };
    },
    redirect: `/dev/horloge${annee === DEFAULT_CAMPAIGN_YEAR ? '' : `?annee=${annee}`}`,
    notice: 'deplacee',
  });
}

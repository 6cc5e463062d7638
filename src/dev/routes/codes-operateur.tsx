/**
 * Development only: the demo agents' current second-factor codes (`/dev/codes-operateur`), so that a
 * person trying the demo can sign in to /operateur while the portal runs (the command line's
 * `operateur-code` cannot open the embedded database the portal holds). Codes follow the device's real
 * time, as an authenticator application does, whatever the demo clock says.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../http/respond.js';
import { route } from '../../http/route.js';
import { deviceTime } from '../../infra/clock.js';
import { findAgentByEmail } from '../../modules/operateur/agents.js';
import { agentSecret } from '../../modules/operateur/connexion.js';
import { TOTP_PERIOD_SECONDS, totpCode } from '../../modules/operateur/totp.js';
import { MessagePage } from '../../web/pages/public.js';
import { DEMO_AGENTS } from '../../demo/operateur.js';

export async function codesOperateurRoutes(app: FastifyInstance) {
  app.get(
    '/dev/codes-operateur',
    route({ summary: '', tags: ['Développement'], access: 'public', hide: true, operationId: 'codesOperateurDemonstration' }),
    showCodes,
  );
}

async function showCodes(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const now = deviceTime(ctx.clock);
  const left = TOTP_PERIOD_SECONDS - (Math.floor(now.getTime() / 1000) % TOTP_PERIOD_SECONDS);
  const codes: { courriel: string; role: string; code: string | null }[] = [];
  for (const a of DEMO_AGENTS) {
    const agent = await findAgentByEmail(ctx.db, a.courriel);
    const secret = agent?.totpConfirmedAt ? agentSecret(ctx, agent) : null;
    codes.push({ courriel: a.courriel, role: a.role, code: secret ? totpCode(secret, now) : null });
  }
  return respond(req, reply, {
    json: { valableEncoreSecondes: left, codes },
    page: () => (
      <MessagePage ctx={pageContext(req)} title="Codes de double authentification des agents de démonstration">
        <ul>
          {codes.map((c) => (
            <li key={c.courriel}>
              {c.courriel} ({c.role}) : <strong>{c.code ?? 'agent non enrôlé'}</strong>
            </li>
          ))}
        </ul>
        <p>Valables encore {left} s ; rechargez la page pour les suivants.</p>
      </MessagePage>
    ),
  });
}

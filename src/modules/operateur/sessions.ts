/**
 * The agents' sessions (cookie `__Host-op`), apart from the users': the same rules (docs/regles.md#comptes
 * and #operateur) — a random 256-bit id stored hashed, 30 minutes idle, 12 hours in all, its own CSRF
 * token, revocable — plus the login's stage: after the password alone a session only opens the second
 * factor's pages, for 10 minutes; passing the second factor replaces it by a new one (a new id).
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../infra/db/index.js';
import { liveSessionOf, newSessionRow, revokeSessionRow, touchSessionRow } from '../../infra/session-rows.js';
import { agentSessions } from '../../infra/db/schema-operateur.js';
import { agents } from '../../infra/db/schema-versements.js';
import type { AgentRole, AgentRow } from './agents.js';

export const AGENT_SESSION_IDLE_MS = 30 * 60_000;
export const AGENT_SESSION_ABSOLUTE_MS = 12 * 3_600_000;
/** the time between the password and the second factor */
export const AGENT_PENDING_MS = 10 * 60_000;

export type AgentSessionRow = typeof agentSessions.$inferSelect;
export type AgentStage = 'mot_de_passe' | 'complete';

/** Who is signed in, as the operator's pages show it. */
export interface AgentViewer {
  nom: string;
  prenom: string;
  role: AgentRole;
}

export interface AgentAuthState {
  session: AgentSessionRow;
  agent: AgentRow;
  /** 'mot_de_passe': only the second factor's pages; 'complete': the operator's space */
  stage: AgentStage;
  viewer: AgentViewer;
}

export async function createAgentSession(
  tx: Tx,
  ctx: AppContext,
  agentId: string,
  stage: AgentStage,
  meta: { ip?: string; userAgent?: string },
): Promise<string> {
  const lifetime = stage === 'complete' ? AGENT_SESSION_ABSOLUTE_MS : AGENT_PENDING_MS;
  const { id, row } = newSessionRow(ctx.clock.now(), lifetime, meta);
  await tx.insert(agentSessions).values({ ...row, agentId, etape: stage });
  return id;
}

export async function loadAgentSession(ctx: AppContext, cookieValue: string): Promise<AgentAuthState | null> {
  const row = await liveSessionOf(agentSessions, cookieValue, AGENT_SESSION_IDLE_MS, ctx.clock.now(), (where) =>
    ctx.db
      .select({ session: agentSessions, agent: agents })
      .from(agentSessions)
      .innerJoin(agents, eq(agents.id, agentSessions.agentId))
      .where(where),
  );
  if (!row) return null;
  const { session, agent } = row;
  if (agent.statut !== 'actif') return null;
  const stage: AgentStage = session.etape === 'complete' && agent.totpConfirmedAt ? 'complete' : 'mot_de_passe';
  return { session, agent, stage, viewer: { nom: agent.nom, prenom: agent.prenom, role: agent.role as AgentRole } };
}

export function touchAgentSession(ctx: AppContext, state: AgentAuthState): Promise<void> {
  return touchSessionRow(ctx.db, agentSessions, state.session, ctx.clock.now());
}

export function revokeAgentSession(tx: Tx, ctx: AppContext, idHash: string): Promise<void> {
  return revokeSessionRow(tx, agentSessions, idHash, ctx.clock.now());
}

/**
 * The operator's agents (Caisse des Dépôts), personal accounts apart from the companies' users
 * (docs/regles.md#operateur): created `invite` by the command line with a role (`gestionnaire` prepares
 * the payment waves, `valideur` approves them), they choose their password through a single-use link
 * sent by mail (stored hashed, expiring after 48 h, earlier links retired), then enrol their second
 * factor at their first login. Every step is audited with the agent.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { evaluatePassword } from '../../domain/password-policy.js';
import { expiresAt } from '../../domain/tokens.js';
import { audit } from '../../infra/audit.js';
import { hashSecret, newToken, sha256 } from '../../infra/crypto.js';
import type { Db, Tx } from '../../infra/db/index.js';
import { agentJetons, agentSessions } from '../../infra/db/schema-operateur.js';
import { agents } from '../../infra/db/schema-versements.js';
import { queueMail } from '../../infra/mail.js';
import { failure, invalidField, type Outcome } from '../../shared/problem.js';
import { publicUrl } from '../../shared/urls.js';

export type AgentRow = typeof agents.$inferSelect;
export type AgentRole = 'gestionnaire' | 'valideur';
export const AGENT_ROLES: readonly AgentRole[] = ['gestionnaire', 'valideur'];
export const ROLE_LABELS: Record<AgentRole, string> = { gestionnaire: 'Gestionnaire', valideur: 'Valideur' };

export const isAgentRole = (r: string): r is AgentRole => (AGENT_ROLES as readonly string[]).includes(r);
export const normalizeEmail = (e: string) => e.trim().toLowerCase();

export async function findAgentByEmail(db: Db | Tx, courriel: string): Promise<AgentRow | null> {
  const [row] = await db
    .select()
    .from(agents)
    .where(eq(agents.courriel, normalizeEmail(courriel)));
  return row ?? null;
}

export async function findAgent(db: Db | Tx, id: string): Promise<AgentRow | null> {
  const [row] = await db.select().from(agents).where(eq(agents.id, id));
  return row ?? null;
}

const PASSWORD_PATH = '/operateur/mot-de-passe';

/** Issues a new link (earlier live ones are retired) and writes its mail, in the caller's transaction. */
async function sendPasswordLink(tx: Tx, ctx: AppContext, agent: AgentRow, first: boolean): Promise<void> {
  const now = ctx.clock.now();
  await tx
    .update(agentJetons)
    .set({ usedAt: now })
    .where(and(eq(agentJetons.agentId, agent.id), eq(agentJetons.kind, 'mot_de_passe'), isNull(agentJetons.usedAt)));
  const value = newToken();
  await tx.insert(agentJetons).values({
    agentId: agent.id,
    kind: 'mot_de_passe',
    tokenHash: sha256(value),
    createdAt: now,
    expiresAt: expiresAt(now, 'emailValidation'),
  });
  await queueMail(tx, ctx.clock, {
    to: agent.courriel,
    subject: first ? 'SOLTéA opérateur : votre compte agent' : 'SOLTéA opérateur : choisir un nouveau mot de passe',
    text: [
      `Bonjour ${agent.prenom} ${agent.nom},`,
      '',
      first
        ? `Un compte d’agent de l’opérateur SOLTéA (rôle : ${ROLE_LABELS[agent.role as AgentRole] ?? agent.role}) a été créé pour vous.`
        : 'Un nouveau lien vous permet de choisir votre mot de passe d’agent de l’opérateur SOLTéA.',
      'Choisissez votre mot de passe avec ce lien, valable 48 heures et utilisable une seule fois :',
      publicUrl(ctx, `${PASSWORD_PATH}?jeton=${value}`),
      '',
      'À votre première connexion, vous enregistrerez une application d’authentification (double authentification).',
      'Si vous n’attendiez pas ce message, signalez-le à votre responsable.',
    ].join('\n'),
  });
  await audit(tx, ctx.clock, { action: 'operateur.lien_envoye', actorAgentId: agent.id, details: { premier: first } });
}

export interface NewAgent {
  courriel: string;
  nom: string;
  prenom: string;
  role: string;
}

/** `operateur-creer`: the agent `invite`, and the link to choose a password by mail. */
export async function createAgent(ctx: AppContext, input: NewAgent): Promise<Outcome<{ agent: AgentRow }>> {
  const courriel = normalizeEmail(input.courriel);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(courriel)) return invalidField('courriel', `Le courriel « ${input.courriel} » n’est pas valide.`);
  const nom = input.nom.replace(/\s+/g, ' ').trim();
  const prenom = input.prenom.replace(/\s+/g, ' ').trim();
  if (!nom || !prenom || nom.length > 80 || prenom.length > 80)
    return invalidField('nom', 'Indiquez le nom et le prénom (80 caractères au plus).');
  if (!isAgentRole(input.role)) return invalidField('role', `Rôle inconnu « ${input.role} » : gestionnaire ou valideur.`);
  const role = input.role;
  return ctx.db.transaction(async (tx) => {
    const [agent] = await tx
      .insert(agents)
      .values({ courriel, nom, prenom, role, statut: 'invite', createdAt: ctx.clock.now() })
      .onConflictDoNothing({ target: agents.courriel })
      .returning();
    if (!agent) return failure('conflict', 'agent_existant', `Un agent a déjà le courriel ${courriel}.`);
    await audit(tx, ctx.clock, { action: 'operateur.agent_cree', actorAgentId: agent.id, details: { courriel, role } });
    await sendPasswordLink(tx, ctx, agent, true);
    return { ok: true as const, agent };
  });
}

/** `operateur-lien`: a new link for an agent (first link lost or expired, password forgotten). */
export async function sendNewLink(ctx: AppContext, courriel: string): Promise<Outcome<{ agent: AgentRow }>> {
  return ctx.db.transaction(async (tx) => {
    const agent = await findAgentByEmail(tx, courriel);
    if (!agent) return failure('not_found', 'agent_inconnu', `Aucun agent n’a le courriel ${normalizeEmail(courriel)}.`);
    if (agent.statut === 'suspendu') return failure('conflict', 'agent_suspendu', 'Cet agent est suspendu : aucun lien ne lui est envoyé.');
    await sendPasswordLink(tx, ctx, agent, false);
    return { ok: true as const, agent };
  });
}

/** The agent a live link names, without using it (the page shown before the form is posted). */
export async function agentOfLink(ctx: AppContext, value: string | undefined): Promise<AgentRow | null> {
  if (!value || value.length > 100) return null;
  const [row] = await ctx.db
    .select({ agent: agents })
    .from(agentJetons)
    .innerJoin(agents, eq(agents.id, agentJetons.agentId))
    .where(
      and(
        eq(agentJetons.tokenHash, sha256(value)),
        eq(agentJetons.kind, 'mot_de_passe'),
        isNull(agentJetons.usedAt),
        gt(agentJetons.expiresAt, ctx.clock.now()),
      ),
    );
  return row && row.agent.statut !== 'suspendu' ? row.agent : null;
}

export const EXPIRED_LINK =
  'Ce lien n’est plus valable (déjà utilisé, expiré ou remplacé par un plus récent). Demandez un nouveau lien à votre responsable.';

/**
 * Sets the password through the link, which is spent atomically (two posts of one link: the second finds
 * it used). The agent becomes `actif`; every session of the agent ends.
 */
export async function choosePassword(ctx: AppContext, value: string, password: string, meta: { ip?: string }): Promise<Outcome> {
  const target = await agentOfLink(ctx, value);
  if (!target) return failure('not_found', 'lien_invalide', EXPIRED_LINK);
  const check = evaluatePassword(password, { nom: target.nom, prenom: target.prenom });
  if (!check.valid) return invalidField('password', check.errors.join(' '));
  const passwordHash = await hashSecret(password);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const [spent] = await tx
      .update(agentJetons)
      .set({ usedAt: now })
      .where(
        and(
          eq(agentJetons.tokenHash, sha256(value)),
          eq(agentJetons.kind, 'mot_de_passe'),
          isNull(agentJetons.usedAt),
          gt(agentJetons.expiresAt, now),
        ),
      )
      .returning({ agentId: agentJetons.agentId });
    if (!spent) return failure('not_found', 'lien_invalide', EXPIRED_LINK);
    await tx.update(agents).set({ passwordHash, statut: 'actif' }).where(eq(agents.id, spent.agentId));
    await tx
      .update(agentSessions)
      .set({ revokedAt: now })
      .where(and(eq(agentSessions.agentId, spent.agentId), isNull(agentSessions.revokedAt)));
    await audit(tx, ctx.clock, { action: 'operateur.mot_de_passe_choisi', actorAgentId: spent.agentId, ip: meta.ip });
    return { ok: true as const };
  });
}

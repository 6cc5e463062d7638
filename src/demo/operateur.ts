/**
 * The demo's agents of the operator: one gestionnaire, one valideur, active and already enrolled in
 * the second factor with fixed secrets (demonstration only: anyone reading this file can compute their
 * codes — `npm run cli -- operateur-code <courriel>` prints the current one). Their password is the
 * demo's common password.
 */
import type { AppContext } from '../app-context.js';
import { encryptSecret, hashSecret } from '../infra/crypto.js';
import { agents } from '../infra/db/schema-versements.js';

export interface DemoAgent {
  courriel: string;
  nom: string;
  prenom: string;
  role: 'gestionnaire' | 'valideur';
  /** base32 TOTP secret (fixed: demonstration only) */
  totpSecret: string;
}

export const DEMO_AGENTS: readonly DemoAgent[] = [
  {
    courriel: 'gestionnaire@operateur.demo',
    nom: 'Lefort',
    prenom: 'Camille',
    role: 'gestionnaire',
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  {
    courriel: 'valideur@operateur.demo',
    nom: 'Garnier',
    prenom: 'Nadia',
    role: 'valideur',
    totpSecret: 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BA',
  },
];

export async function seedDemoAgents(ctx: AppContext, password: string): Promise<void> {
  const passwordHash = await hashSecret(password);
  const now = ctx.clock.now();
  for (const a of DEMO_AGENTS)
    await ctx.db
      .insert(agents)
      .values({
        courriel: a.courriel,
        nom: a.nom,
        prenom: a.prenom,
        role: a.role,
        statut: 'actif',
        passwordHash,
        totpSecret: encryptSecret(ctx.config.secretsKey, a.totpSecret),
        totpConfirmedAt: now,
        createdAt: now,
      })
      .onConflictDoNothing({ target: agents.courriel });
}

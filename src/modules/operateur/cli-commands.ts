/**
 * Commands of the operator's accounts (registered by src/cli.ts):
 * - `operateur-creer <courriel> <nom> <prénom> --role gestionnaire|valideur`: the agent `invite`, and
 *   the single-use link to choose a password sent by mail;
 * - `operateur-lien <courriel>`: a new link (the earlier ones no longer work);
 * - `operateur-code <courriel>`: the agent's current TOTP code, for the demonstration only — refused in
 *   production and unless the demo data set or the development tools are on.
 */
import type { AppContext } from '../../app-context.js';
import type { CliCommand } from '../../cli-command.js';
import { withContext } from '../../infra/command-line.js';
import { createAgent, findAgentByEmail, ROLE_LABELS, sendNewLink, type AgentRole } from './agents.js';
import { agentSecret } from './connexion.js';
import { stepOf, TOTP_PERIOD_SECONDS, totpCode } from './totp.js';

type Out = (line: string) => void;

const CREATE_USAGE = 'operateur-creer <courriel> <nom> <prénom> --role gestionnaire|valideur';

/** Parses `operateur-creer`'s arguments (pure). */
export function parseCreateArgs(
  args: string[],
): { ok: true; courriel: string; nom: string; prenom: string; role: string } | { ok: false; message: string } {
  const rest: string[] = [];
  let role: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--role') role = args[++i];
    else if (a.startsWith('--role=')) role = a.slice('--role='.length);
    else rest.push(a);
  }
  if (rest.length !== 3 || !role) return { ok: false, message: `Usage : ${CREATE_USAGE}` };
  const [courriel, nom, prenom] = rest as [string, string, string];
  return { ok: true, courriel, nom, prenom, role };
}

export async function runCreateAgent(ctx: AppContext, args: string[], out: Out = console.log): Promise<number> {
  const p = parseCreateArgs(args);
  if (!p.ok) {
    out(p.message);
    return 2;
  }
  const r = await createAgent(ctx, p);
  if (!r.ok) {
    out(r.problem.message);
    return 1;
  }
  const a = r.agent;
  out(`Agent créé : ${a.prenom} ${a.nom} <${a.courriel}>, ${ROLE_LABELS[a.role as AgentRole]}, statut invité.`);
  out('Un lien à usage unique (48 heures) pour choisir son mot de passe lui est envoyé par courriel.');
  return 0;
}

export async function runNewLink(ctx: AppContext, args: string[], out: Out = console.log): Promise<number> {
  if (args.length !== 1) {
    out('Usage : operateur-lien <courriel>');
    return 2;
  }
  const r = await sendNewLink(ctx, args[0]!);
  if (!r.ok) {
    out(r.problem.message);
    return 1;
  }
  out(`Nouveau lien envoyé à ${r.agent.courriel} (valable 48 heures ; les liens précédents ne fonctionnent plus).`);
  return 0;
}

/** `operateur-code`: only outside production, with the demo data set or the development tools. */
export async function runCurrentCode(ctx: AppContext, args: string[], out: Out = console.log): Promise<number> {
  if (ctx.config.isProduction || !(ctx.config.devTools || ctx.config.demoSeed)) {
    out('operateur-code est un outil de démonstration : refusé en production, et hors démonstration (DEMO_SEED=1 ou DEV_TOOLS=1).');
    return 2;
  }
  if (args.length !== 1) {
    out('Usage : operateur-code <courriel>');
    return 2;
  }
  const agent = await findAgentByEmail(ctx.db, args[0]!);
  const secret = agent ? agentSecret(ctx, agent) : null;
  if (!agent || !secret || !agent.totpConfirmedAt) {
    out(`Aucun agent enrôlé en double authentification n’a le courriel ${args[0]}.`);
    return 1;
  }
  const now = ctx.clock.now();
  const left = TOTP_PERIOD_SECONDS - (Math.floor(now.getTime() / 1000) % TOTP_PERIOD_SECONDS);
  const used = agent.totpLastStep !== null && agent.totpLastStep >= stepOf(now);
  out(`${totpCode(secret, now)}  (valable encore ${left} s${used ? ' ; déjà utilisé : attendez le suivant' : ''})`);
  return 0;
}

export const operateurCommands: Record<string, CliCommand> = {
  'operateur-creer': {
    usage: CREATE_USAGE,
    help: 'Crée le compte personnel d’un agent de l’opérateur (gestionnaire : prépare les vagues ; valideur : les approuve et les émet) et lui envoie par courriel un lien à usage unique pour choisir son mot de passe ; la double authentification est enregistrée à sa première connexion.',
    run: (args) => {
      const p = parseCreateArgs(args);
      if (!p.ok) {
        console.error(p.message);
        return Promise.resolve(2);
      }
      return withContext((ctx) => runCreateAgent(ctx, args));
    },
  },
  'operateur-lien': {
    usage: 'operateur-lien <courriel>',
    help: 'Envoie à un agent un nouveau lien pour choisir son mot de passe (premier lien perdu ou expiré, mot de passe oublié).',
    run: (args) => withContext((ctx) => runNewLink(ctx, args)),
  },
  'operateur-code': {
    usage: 'operateur-code <courriel>',
    help: 'Démonstration seulement (refusé en production) : affiche le code de double authentification actuel d’un agent de démonstration.',
    run: (args) => withContext((ctx) => runCurrentCode(ctx, args)),
  },
};

/**
 * Commands of the operator's accounts (registered by src/cli.ts):
 * - `operateur-creer <courriel> <nom> <prénom> --role gestionnaire|valideur`: the agent `invite`, and
 *   the single-use link to choose a password sent by mail;
 * - `operateur-lien <courriel>`: a new link (the earlier ones no longer work);
 * - `operateur-code <courriel>`: the agent's current TOTP code, for the demonstration only — refused in
 *   production and unless the demo data set or the development tools are on.
 */
import type { AppContext } from '../../app-context.js';
import { commandGroup, defineCommand, parseCommandArgs } from '../../cli-command.js';
import { withContext } from '../../infra/command-line.js';
import { createAgent, findAgentByEmail, ROLE_LABELS, sendNewLink, type AgentRole } from './agents.js';
import { agentSecret } from './connexion.js';
import { stepOf, TOTP_PERIOD_SECONDS, totpCode } from './totp.js';

type Out = (line: string) => void;

const CREATE_SPEC = {
  name: 'operateur-creer',
  arguments: [{ name: 'courriel' }, { name: 'nom' }, { name: 'prénom' }],
  options: {
    role: {
      type: 'string',
      value: 'gestionnaire|valideur',
      what: 'le rôle (gestionnaire ou valideur)',
      required: true,
      help: 'gestionnaire : prépare les vagues ; valideur : les approuve et les émet',
    },
  },
  help: 'Crée le compte personnel d’un agent de l’opérateur (gestionnaire : prépare les vagues ; valideur : les approuve et les émet) et lui envoie par courriel un lien à usage unique pour choisir son mot de passe ; la double authentification est enregistrée à sa première connexion.',
} as const;

const EMAIL_ARGUMENT = [{ name: 'courriel' }] as const;

const LINK_SPEC = {
  name: 'operateur-lien',
  arguments: EMAIL_ARGUMENT,
  help: 'Envoie à un agent un nouveau lien pour choisir son mot de passe (premier lien perdu ou expiré, mot de passe oublié).',
} as const;

const CODE_SPEC = {
  name: 'operateur-code',
  arguments: EMAIL_ARGUMENT,
  help: 'Démonstration seulement (refusé en production) : affiche le code de double authentification actuel d’un agent de démonstration.',
} as const;

/** Parses `operateur-creer`'s arguments (pure). */
export function parseCreateArgs(
  args: string[],
): { ok: true; courriel: string; nom: string; prenom: string; role: string } | { ok: false; message: string } {
  const p = parseCommandArgs(CREATE_SPEC, args);
  if (!p.ok) return { ok: false, message: `${p.message} Usage : ${createCommand.usage}` };
  const [courriel, nom, prenom] = p.positionals as [string, string, string];
  return { ok: true, courriel, nom, prenom, role: p.values.role! };
}

/** The single e-mail argument of `operateur-lien` and `operateur-code`, or null after printing the usage. */
function emailArg(spec: typeof LINK_SPEC | typeof CODE_SPEC, args: string[], out: Out): string | null {
  const p = parseCommandArgs(spec, args);
  if (p.ok) return p.positionals[0]!;
  out(`${p.message} Usage : ${spec.name} <courriel>`);
  return null;
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
  const courriel = emailArg(LINK_SPEC, args, out);
  if (courriel === null) return 2;
  const r = await sendNewLink(ctx, courriel);
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
  const courriel = emailArg(CODE_SPEC, args, out);
  if (courriel === null) return 2;
  const agent = await findAgentByEmail(ctx.db, courriel);
  const secret = agent ? agentSecret(ctx, agent) : null;
  if (!agent || !secret || !agent.totpConfirmedAt) {
    out(`Aucun agent enrôlé en double authentification n’a le courriel ${courriel}.`);
    return 1;
  }
  const now = ctx.clock.now();
  const left = TOTP_PERIOD_SECONDS - (Math.floor(now.getTime() / 1000) % TOTP_PERIOD_SECONDS);
  const used = agent.totpLastStep !== null && agent.totpLastStep >= stepOf(now);
  out(`${totpCode(secret, now)}  (valable encore ${left} s${used ? ' ; déjà utilisé : attendez le suivant' : ''})`);
  return 0;
}

const createCommand = defineCommand(CREATE_SPEC, async ({ argv }) => withContext((ctx) => runCreateAgent(ctx, [...argv])));

export const operateurCommands = commandGroup(
  createCommand,
  defineCommand(LINK_SPEC, ({ argv }) => withContext((ctx) => runNewLink(ctx, [...argv]))),
  defineCommand(CODE_SPEC, ({ argv }) => withContext((ctx) => runCurrentCode(ctx, [...argv]))),
);

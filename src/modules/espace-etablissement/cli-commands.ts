/** Operators' commands of the establishment space, registered by src/cli.ts. */
import { userInfo } from 'node:os';
import type { AppContext } from '../../app-context.js';
import { commandGroup, defineCommand, parseCommandArgs, type CliOption } from '../../cli-command.js';
import { formatSiret, parseSiret } from '../../domain/identifiers.js';
import { withContext } from '../../infra/command-line.js';
import { and, eq } from 'drizzle-orm';
import { agents } from '../../infra/db/schema-versements.js';
import { setBankDetailsStatus } from './coordonnees-bancaires.js';
import { letterText, takePendingLetters } from './courriers-codes.js';

const AGENT_MAX = 120;

/** `--agent`: who of the operator runs the command, recorded in the audit trail. */
const AGENT_OPTION = {
  type: 'string',
  value: 'courriel',
  what: 'le courriel (ou le prénom et le nom) de l’agent',
  help: 'l’agent de l’opérateur qui agit (par défaut l’utilisateur du système), enregistré dans le journal d’audit',
} as const satisfies CliOption;

/** The `--agent` value with its spaces tidied, or the French message when it is unusable. */
function agentValue(raw: string | undefined): { ok: true; agent?: string } | { ok: false; message: string } {
  if (raw === undefined) return { ok: true };
  const agent = raw.replace(/\s+/g, ' ').trim();
  if (!agent) return { ok: false, message: 'Indiquez le prénom et le nom de l’agent après --agent.' };
  if (agent.length > AGENT_MAX) return { ok: false, message: `Le nom de l’agent : ${AGENT_MAX} caractères au maximum.` };
  return { ok: true, agent };
}

/** The agent named on the command line, else the operating-system user running it. */
export function agentOrSystemUser(agent: string | undefined): string {
  if (agent) return agent;
  try {
    return userInfo().username || 'inconnu';
  } catch {
    return process.env.USER ?? 'inconnu';
  }
}

const BANK_STATUS_SPEC = {
  name: 'bank-details-status',
  arguments: [{ name: 'siret' }, { name: 'verifiee|rejetee' }, { name: 'motif', optional: true, many: true }],
  options: { agent: AGENT_OPTION },
  help: 'Donne le statut de vérification des coordonnées bancaires actuelles d’un établissement (vérifiées, ou rejetées avec un motif) ; l’établissement est prévenu par courriel. L’agent de l’opérateur (son courriel ; par défaut l’utilisateur du système) est enregistré dans l’historique et le journal d’audit. L’écran /operateur/coordonnees-bancaires fait de même.',
} as const;

const COURRIERS_SPEC = {
  name: 'courriers-codes',
  options: { agent: { ...AGENT_OPTION, value: 'prénom nom' } },
  help: 'Imprime les courriers de code des coordonnées bancaires à envoyer par la poste (établissements dont l’entreprise n’a pas d’administrateur), les marque envoyés et efface les codes de la base.',
} as const;

const bankStatusCommand = defineCommand(BANK_STATUS_SPEC, async ({ argv }) => {
  const parsed = parseBankStatusArgs([...argv]);
  if (!parsed.ok) {
    console.error(parsed.message);
    return 2;
  }
  return withContext((ctx) => runBankStatus(ctx, [...argv]));
});

const courriersCommand = defineCommand(COURRIERS_SPEC, async ({ values, argv }) => {
  const taken = agentValue(values.agent);
  if (!taken.ok) {
    console.error(taken.message);
    return 2;
  }
  return withContext((ctx) => runCourriersCodes(ctx, [...argv]));
});

type BankStatusArgs =
  { ok: true; siret: string; statut: 'verifiee' | 'rejetee'; motif: string; agent?: string } | { ok: false; message: string };

/** Parses the arguments of `bank-details-status`; pure, so the command's checks are tested without a database. */
export function parseBankStatusArgs(args: string[]): BankStatusArgs {
  const parsed = parseCommandArgs(BANK_STATUS_SPEC, args);
  if (!parsed.ok) return { ok: false, message: `${parsed.message} Usage : ${bankStatusCommand.usage}` };
  const taken = agentValue(parsed.values.agent);
  if (!taken.ok) return taken;
  const [siretArg, statutArg, ...motifWords] = parsed.positionals as [string, string, ...string[]];
  const siret = parseSiret(siretArg);
  if (!siret.ok) return { ok: false, message: siret.message };
  const statut = statutArg.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  if (statut !== 'verifiee' && statut !== 'rejetee')
    return { ok: false, message: `Statut inconnu « ${statutArg} » : indiquez verifiee ou rejetee.` };
  const motif = motifWords.join(' ').trim();
  if (statut === 'rejetee' && motif.length < 3)
    return { ok: false, message: 'Indiquez le motif du rejet après le statut : il est communiqué à l’établissement.' };
  return { ok: true, siret: siret.value, statut, motif, ...(taken.agent ? { agent: taken.agent } : {}) };
}

/** Runs `bank-details-status` against an application context (the CLI builds one from the environment). */
export async function runBankStatus(ctx: AppContext, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const p = parseBankStatusArgs(args);
  if (!p.ok) {
    out(p.message);
    return 2;
  }
  const who = await agentIdentity(ctx, p.agent);
  if (!who.ok) {
    out(who.message);
    return 1;
  }
  const agent = who.name;
  const r = await setBankDetailsStatus(ctx, {
    siret: p.siret,
    statut: p.statut,
    motif: p.motif,
    operatorUserId: null,
    agentId: who.id,
    agent,
  });
  if (!r.ok) {
    out(r.message);
    return 1;
  }
  out(
    `Coordonnées bancaires du SIRET ${formatSiret(p.siret)} : ${p.statut === 'verifiee' ? 'vérifiées' : `rejetées (motif : ${p.motif})`}, par ${agent}. Les administrateurs de l’établissement sont prévenus.`,
  );
  return 0;
}

/**
 * Who gives a verdict from the command line: `--agent <courriel>` names an active agent of the operator
 * (src/modules/operateur), recorded by its id in the audit row and by its name in the status history; a
 * name without « @ » (older scripts) or no `--agent` at all is recorded as a name only.
 */
async function agentIdentity(
  ctx: AppContext,
  given: string | undefined,
): Promise<{ ok: true; id: string | null; name: string } | { ok: false; message: string }> {
  if (!given?.includes('@')) return { ok: true, id: null, name: agentOrSystemUser(given) };
  const [a] = await ctx.db
    .select({ id: agents.id, nom: agents.nom, prenom: agents.prenom })
    .from(agents)
    .where(and(eq(agents.courriel, given.trim().toLowerCase()), eq(agents.statut, 'actif')));
  if (!a) return { ok: false, message: `Aucun agent actif de l’opérateur n’a le courriel ${given}.` };
  return { ok: true, id: a.id, name: `${a.prenom} ${a.nom}` };
}

/**
 * Runs `courriers-codes`: prints the pending bank-code letters as text, marks them sent by the agent and
 * erases their code from the database (docs/regles.md#coordonnees-bancaires).
 */
export async function runCourriersCodes(ctx: AppContext, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const parsed = parseCommandArgs(COURRIERS_SPEC, args);
  const taken = parsed.ok ? agentValue(parsed.values.agent) : parsed;
  if (!taken.ok) {
    out(`${taken.message} Usage : ${courriersCommand.usage}`);
    return 2;
  }
  const agent = agentOrSystemUser(taken.agent);
  const letters = await takePendingLetters(ctx, agent);
  if (letters.length === 0) {
    out('Aucun courrier de code à envoyer.');
    return 0;
  }
  const now = ctx.clock.now();
  letters.forEach((l, i) => {
    out(`──────── Courrier ${i + 1} sur ${letters.length} ────────`);
    out(letterText(l, now));
    out('');
  });
  out(
    `${letters.length} courrier${letters.length > 1 ? 's imprimés, marqués envoyés' : ' imprimé, marqué envoyé'} par ${agent} ; les codes sont effacés de la base.`,
  );
  return 0;
}

export const espaceEtablissementCommands = commandGroup(bankStatusCommand, courriersCommand);

/**
 * Operators' commands of the campaign calendars (registered by src/cli.ts):
 * - `campagne <année> [--maintenant <instant ISO>] [--json]`: the calendar and the phase at that
 *   instant (default: DEMO_NOW in a demo, else now); `--json` prints it as `campagne-modifier` reads it;
 * - `campagne-modifier <année> <fichier.json>`: sets the year's calendar (checked, audited).
 */
import { readFile } from 'node:fs/promises';
import type { CliCommand } from '../../cli-command.js';
import { parseInstant } from '../../infra/config.js';
import { systemClock } from '../../infra/clock.js';
import { withDatabase } from '../../infra/command-line.js';
import { formatLongDateTime } from '../../shared/format.js';
import { campaignToJson, formatCampaign, parseCampaignJson } from './calendar-json.js';
import { loadCampaign, saveCampaign } from './repository.js';

const MIN = 2023;
const MAX = 2100;

function yearArg(raw: string | undefined): number | null {
  if (!raw || !/^\d{4}$/.test(raw)) return null;
  const y = Number(raw);
  return y >= MIN && y <= MAX ? y : null;
}

const showCommand: CliCommand = {
  usage: 'campagne <année> [--maintenant <instant ISO>] [--json]',
  help: 'Affiche le calendrier d’une campagne (ouvertures, périodes, virements, fonds non affectés) et sa phase à l’instant donné (par défaut DEMO_NOW en démonstration, sinon maintenant) ; --json l’écrit au format lu par campagne-modifier.',
  run: async (args) => {
    const positional: string[] = [];
    let json = false;
    let at: Date | null = null;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--json') json = true;
      else if (a === '--maintenant' || a.startsWith('--maintenant=')) {
        const raw = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
        at = raw ? parseInstant(raw) : null;
        if (!at) {
          console.error('--maintenant : indiquez un instant ISO 8601 avec son fuseau, par exemple 2025-06-02T09:00:00+02:00.');
          return 2;
        }
      } else if (a.startsWith('--')) {
        console.error(`Option inconnue : ${a} (options : --maintenant <instant>, --json).`);
        return 2;
      } else positional.push(a);
    }
    const annee = yearArg(positional[0]);
    if (annee === null || positional.length !== 1) {
      console.error(`Usage : ${showCommand.usage} (année de ${MIN} à ${MAX})`);
      return 2;
    }
    return withDatabase(async (db, config) => {
      const stored = await loadCampaign(db, annee);
      if (!stored) {
        console.error(
          `Aucun calendrier pour la campagne ${annee} : enregistrez-le avec campagne-modifier ${annee} <fichier.json> (modèle : campagne 2025 --json).`,
        );
        return 1;
      }
      if (json) {
        console.log(campaignToJson(stored.campaign));
        return 0;
      }
      const now = at ?? config.demoNow ?? systemClock.now();
      const origine =
        stored.origine === 'arrete'
          ? 'calendrier de l’arrêté, non modifié'
          : `calendrier enregistré par l’opérateur le ${formatLongDateTime(stored.updatedAt!)}`;
      for (const l of formatCampaign(stored.campaign, now, origine)) console.log(l);
      return 0;
    });
  },
};

const editCommand: CliCommand = {
  usage: 'campagne-modifier <année> <fichier.json>',
  help: 'Enregistre le calendrier d’une campagne depuis un fichier JSON (modèle : campagne <année> --json) après l’avoir vérifié (deux mois de répartition au moins, virements après leur période…). Code de sortie 1 si le calendrier est refusé.',
  run: async (args) => {
    const annee = yearArg(args[0]);
    if (annee === null || args.length !== 2 || args[1]!.startsWith('--')) {
      console.error(`Usage : ${editCommand.usage} (année de ${MIN} à ${MAX})`);
      return 2;
    }
    let text: string;
    try {
      text = await readFile(args[1]!, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      console.error(`${args[1]} : ${code === 'ENOENT' ? 'fichier introuvable' : `fichier illisible (${code ?? 'erreur'})`}.`);
      return 2;
    }
    const parsed = parseCampaignJson(text, annee);
    if (!parsed.ok) {
      for (const e of parsed.errors) console.error(`Refusé : ${e}`);
      console.error('Le calendrier n’a pas été modifié.');
      return 1;
    }
    return withDatabase(async (db, config) => {
      const r = await saveCampaign({ db, clock: systemClock }, parsed.campaign, null);
      if (!r.ok) {
        for (const e of r.errors) console.error(`Refusé (${e.field}) : ${e.message}`);
        console.error('Le calendrier n’a pas été modifié.');
        return 1;
      }
      console.log(
        r.changed
          ? `Calendrier de la campagne ${annee} enregistré.`
          : `Le calendrier de la campagne ${annee} est déjà celui-ci : rien n’a changé.`,
      );
      for (const l of formatCampaign(r.campaign, config.demoNow ?? systemClock.now(), r.changed ? 'enregistré à l’instant' : 'inchangé'))
        console.log(l);
      return 0;
    });
  },
};

export const campagnesCommands: Record<string, CliCommand> = {
  campagne: showCommand,
  'campagne-modifier': editCommand,
};

/**
 * Operators' commands of the campaign calendars (registered by src/cli.ts):
 * - `campagne <année> [--maintenant <instant ISO>] [--json]`: the calendar and the phase at that
 *   instant (default: DEMO_NOW in a demo, else now); `--json` prints it as `campagne-modifier` reads it;
 * - `campagne-modifier <année> <fichier.json>`: sets the year's calendar (checked, audited).
 */
import { readFile } from 'node:fs/promises';
import { commandGroup, defineCommand } from '../../cli-command.js';
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

const YEAR = { name: 'année', missing: `Indiquez l’année de la campagne (${MIN} à ${MAX}).` };
const BAD_YEAR = `L’année de la campagne va de ${MIN} à ${MAX}.`;

const showCommand = defineCommand(
  {
    name: 'campagne',
    arguments: [YEAR],
    options: {
      maintenant: {
        type: 'string',
        value: 'instant ISO',
        what: 'un instant ISO 8601',
        help: 'la phase à cet instant (par défaut DEMO_NOW en démonstration, sinon maintenant)',
      },
      json: { type: 'boolean', help: 'le calendrier au format lu par campagne-modifier' },
    },
    help: 'Affiche le calendrier d’une campagne (ouvertures, périodes, virements, fonds non affectés) et sa phase à l’instant donné (par défaut DEMO_NOW en démonstration, sinon maintenant) ; --json l’écrit au format lu par campagne-modifier.',
  },
  async ({ positionals, values }) => {
    const annee = yearArg(positionals[0]);
    if (annee === null) {
      console.error(BAD_YEAR);
      return 2;
    }
    const at = values.maintenant === undefined ? null : parseInstant(values.maintenant);
    if (values.maintenant !== undefined && !at) {
      console.error('--maintenant : indiquez un instant ISO 8601 avec son fuseau, par exemple 2025-06-02T09:00:00+02:00.');
      return 2;
    }
    const json = values.json === true;
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
);

const editCommand = defineCommand(
  {
    name: 'campagne-modifier',
    arguments: [YEAR, { name: 'fichier.json', missing: 'Indiquez le fichier JSON du calendrier (modèle : campagne <année> --json).' }],
    help: 'Enregistre le calendrier d’une campagne depuis un fichier JSON (modèle : campagne <année> --json) après l’avoir vérifié (deux mois de répartition au moins, virements après leur période…). Code de sortie 1 si le calendrier est refusé.',
  },
  async ({ positionals: [anneeArg, path] }) => {
    const annee = yearArg(anneeArg);
    if (annee === null) {
      console.error(BAD_YEAR);
      return 2;
    }
    let text: string;
    try {
      text = await readFile(path!, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      console.error(`${path} : ${code === 'ENOENT' ? 'fichier introuvable' : `fichier illisible (${code ?? 'erreur'})`}.`);
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
);

export const campagnesCommands = commandGroup(showCommand, editCommand);

/**
 * The world of the follow-up tests (establishments' « Versements », « Versé le » of the employers,
 * the mails of each payment, the reconciliation): the hand-computed world of vagues.test.ts, and a
 * wave taken the whole way (prepared by g1, approved by v1, issued).
 */
import type { AppContext } from '../../src/app-context.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { approveWave, issueWave, type WaveRow } from '../../src/modules/versements/vagues.js';
import { ANNEE, type World, type WorldSpec } from './world.js';

/**
 * Employer 0 (100 000 cents, funds received) and 1 (33 333, received) pay wave 1: 82 220 cents in three
 * transfers — establishment 0: 61 110 (its lines 30 000 + its composante 1's 20 000 + employer 1's
 * 11 110), composante 2 (its own verified details): 10 000, establishment 6: 11 110; lines to 3, 4, 5
 * are unpayable (details not verified, none, closed). Employer 2 has no funds, employer 3 half of them.
 */
export const SUIVI_SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' }, // 0 lycée
    { bank: null, region: '84', parent: 0 }, // 1 composante without its own details: paid to 0
    { bank: 'verifiee', region: '84', parent: 0 }, // 2 composante with verified details: paid itself
    { bank: 'en_attente', region: '84' }, // 3 details not verified
    { bank: null, region: '84' }, // 4 no details
    { bank: 'verifiee', region: '84', ferme: true }, // 5 closed
    { bank: 'verifiee', region: '11' }, // 6
    { bank: 'verifiee', region: '11' }, // 7
  ],
  employeurs: [
    { creditsCents: 100_000n, funds: 'recus' },
    { creditsCents: 33_333n, funds: 'recus' },
    { creditsCents: 50_000n, funds: 'aucun' },
    { creditsCents: 80_000n, funds: 'partiels' },
  ],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 3000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 2000, periode: 1 },
    { employeur: 0, etablissement: 2, bp: 1000, periode: 1 },
    { employeur: 0, etablissement: 3, bp: 1000, periode: 1 },
    { employeur: 0, etablissement: 4, bp: 500, periode: 1 },
    { employeur: 0, etablissement: 5, bp: 500, periode: 1 },
    { employeur: 0, etablissement: 6, bp: 1000, periode: 2 },
    { employeur: 0, etablissement: 7, bp: 500, periode: null },
    { employeur: 1, etablissement: 0, bp: 3333, periode: 1 },
    { employeur: 1, etablissement: 6, bp: 3333, periode: 1 },
    { employeur: 1, etablissement: 2, bp: 3334, periode: 2 },
    { employeur: 2, etablissement: 0, bp: 10_000, periode: 1 },
    { employeur: 3, etablissement: 6, bp: 10_000, periode: 1 },
  ],
};

/** Wave `numero` prepared, approved by another agent and issued (the clock must be on or after its day). */
export async function issuedWave(ctx: AppContext, w: World, numero: number): Promise<WaveRow> {
  const p = await prepareWave(ctx, w.gestionnaire, ANNEE, numero);
  if (!p.ok) throw new Error(p.problem.message);
  const a = await approveWave(ctx, w.valideur, p.vagueId);
  if (!a.ok) throw new Error(a.problem.message);
  const i = await issueWave(ctx, w.valideur, p.vagueId);
  if (!i.ok) throw new Error(i.problem.message);
  return i.wave;
}

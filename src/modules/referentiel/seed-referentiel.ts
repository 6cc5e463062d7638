/** Demo referential (SOLTéA §4.1) built from the real files in `seed/referentiel/`. */
import type { AppContext } from '../../app-context.js';

export async function seedDemoReferentiel(_ctx: AppContext, _log: (line: string) => void = () => undefined): Promise<void> {
  // filled by the referential module
}

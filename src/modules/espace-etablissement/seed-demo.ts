/** Demo data of the establishment space (profile, bank details) for the demo establishment. */
import type { AppContext } from '../../app-context.js';

export async function seedDemoEspaceEtablissement(_ctx: AppContext, _log: (line: string) => void = () => undefined): Promise<void> {
  // filled by the establishment-space module
}

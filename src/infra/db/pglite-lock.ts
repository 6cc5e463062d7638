/**
 * One process at a time on a PGlite folder. PGlite is PostgreSQL inside one process, with no server to
 * share it: a second process opening the same folder (the command line beside a running portal) would
 * write under the first one's feet. The first opener writes its pid in `<folder>/soltea.pid`; another
 * process finds it, sees that pid alive, and is refused with a French message. A lock left by a process
 * that died (SIGKILL, power cut) names a dead pid and is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class PgliteFolderBusy extends Error {}

/** The lock file, in the folder. */
export const PGLITE_LOCK_FILE = 'soltea.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder for this process; returns the release function. Throws PgliteFolderBusy when held. */
export function lockPgliteFolder(dir: string): () => void {
  const file = join(dir, PGLITE_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
        throw new PgliteFolderBusy(
          `La base PGlite « ${dir} » est ouverte par un autre processus (pid ${holder}, le portail sans doute) : ` +
            'arrêtez-le avant de lancer cette commande, ou utilisez PostgreSQL (DATABASE_URL), que plusieurs processus partagent.',
        );
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new PgliteFolderBusy(`La base PGlite « ${dir} » n’a pas pu être réservée.`);
}

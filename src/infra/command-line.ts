/**
 * What the operators' commands (`npm run cli`) share: the configured database, opened and migrated for
 * one command and closed after it, whatever happens.
 */
import type { AppContext } from '../app-context.js';
import { systemClock } from './clock.js';
import { loadConfig, type Config } from './config.js';
import { migrateDatabase, openDatabase, type Db } from './db/index.js';
import { createMailDeliverer } from './mail.js';

/** Opens the database of the environment's configuration (migrated), runs `work`, closes it. */
export async function withDatabase<T>(work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  try {
    await migrateDatabase(database);
    return await work(database.db, config);
  } finally {
    await database.close();
  }
}

/** Runs `run` on an application context built from the environment (database migrated, mails delivered at the end). */
export async function withContext(run: (ctx: AppContext) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  const mail = createMailDeliverer(database.db, systemClock, config.SMTP_URL, config.MAIL_FROM);
  try {
    await migrateDatabase(database);
    const code = await run({ db: database.db, dbKind: database.kind, config, clock: systemClock, mail });
    await mail.flush();
    return code;
  } finally {
    await mail.stop();
    await database.close();
  }
}

type ProgressStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };

/**
 * A long command's progress on stderr (the report stays alone on stdout, for scripts): redrawn in place
 * on a terminal, every 5 %; on a pipe or a log file, one plain line per phase and per tenth, so that a
 * log reads as lines. `end()` closes the line a terminal was redrawing.
 */
export function progressPrinter(stream: ProgressStream = process.stderr, format: (n: number) => string = String) {
  const tty = stream.isTTY === true;
  let phase: string | null = null;
  let step = -1;
  let open = false;
  return {
    show(label: string, done: number, total: number): void {
      const pct = total ? Math.floor((done / total) * 100) : 100;
      const s = Math.floor(pct / (tty ? 5 : 10));
      if (label === phase && s === step) return;
      const line = `${label} : ${format(done)}/${format(total)} (${pct} %)`;
      stream.write(tty ? `${open && label !== phase ? '\n' : '\r'}  ${line}` : `  ${line}\n`);
      open = tty;
      phase = label;
      step = s;
    },
    end(): void {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

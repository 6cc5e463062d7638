/**
 * A PostgreSQL server of a test's own, that the test may stop and restart without disturbing the
 * shared one: initdb in a temporary folder, pg_ctl on a free port of the loopback. Run as the
 * `postgres` user when the tests run as root (initdb and pg_ctl refuse root). The binaries are
 * PG_BINDIR's, else the newest of Debian's postgresql packages; without them the tests that need a
 * cluster are skipped.
 *
 * `destroy()` stops the server and removes the folder; it is also called when the test process exits,
 * so a failed test leaves no server behind.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.js';

const run = promisify(execFile);
const DEBIAN_POSTGRESQL = '/usr/lib/postgresql';

/** The folder of initdb and pg_ctl, or null when this machine has none. */
export function postgresBinaries(): string | null {
  const given = process.env.PG_BINDIR;
  if (given) return existsSync(join(given, 'pg_ctl')) ? given : null;
  if (!existsSync(DEBIAN_POSTGRESQL)) return null;
  const versions = readdirSync(DEBIAN_POSTGRESQL)
    .filter((v) => existsSync(join(DEBIAN_POSTGRESQL, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(DEBIAN_POSTGRESQL, versions[0], 'bin') : null;
}

const asRoot = process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}

export interface Cluster {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl restart -m fast`: sessions are ended, the server stops and starts again */
  restart(): Promise<void>;
  /** the server's log so far */
  log(): string;
  destroy(): Promise<void>;
}

export async function startCluster(bin: string): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'faults-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const command = (tool: string, args: string[]) =>
    asRoot ? (['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] as const) : ([join(bin, tool), args] as const);
  const exec = async (tool: string, args: string[]) => {
    const [file, argv] = command(tool, args);
    await run(file, [...argv], { timeout: 60_000, cwd: dir });
  };
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=60`;
  const ctl = (action: string, extra: string[] = []) => exec('pg_ctl', [action, '-D', data, '-w', '-t', '60', ...extra]);
  let running = false;
  const stopNow = () => {
    if (!running) return;
    running = false;
    const [file, argv] = command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    try {
      execFileSync(file, [...argv], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // already stopped
    }
  };
  const onExit = () => {
    stopNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  await ctl('start', ['-l', logFile, '-o', options]);
  running = true;
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      await ctl('stop', ['-m', 'fast']);
      running = false;
    },
    async start() {
      await ctl('start', ['-l', logFile, '-o', options]);
      running = true;
    },
    async restart() {
      await ctl('restart', ['-m', 'fast', '-l', logFile, '-o', options]);
      running = true;
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async destroy() {
      process.removeListener('exit', onExit);
      onExit();
    },
  };
}

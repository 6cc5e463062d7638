/**
 * The operators' command line as scripts use it: `--help` on every command answers without opening
 * the database (the PGlite folder is never created), `--version`, the documented exit codes (0 done,
 * 2 wrong command), and a PGlite folder held by a running process (the portal) is refused with exit
 * code 1 instead of being opened beside it; a lock left by a dead process is taken over.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { defineCommand, helpOf, parseCommandArgs } from '../../src/cli-command.js';
import { progressPrinter } from '../../src/infra/command-line.js';
import { lockPgliteFolder, PgliteFolderBusy } from '../../src/infra/db/pglite-lock.js';
import { killAllChildren, spawnTs } from '../faults/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const p = spawnTs('src/cli.ts', args, { DATABASE_URL: undefined, PGLITE_DIR: join(dir, 'jamais-creee'), ...env }, 60_000);
  const exit = await p.exited;
  return { code: exit.code, out: p.output() };
}

describe('the command line', () => {
  it('lists the commands, gives its version, and says 2 for an unknown command', async () => {
    const [list, version, unknown] = await Promise.all([cli(['--help']), cli(['--version']), cli(['pas-une-commande'])]);
    expect(list.code).toBe(0);
    expect(list.out).toContain('Codes de sortie');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0 });
    expect(version.out).toContain(pkg.version);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('Commande inconnue : pas-une-commande');
  });

  it('answers --help for every command without touching the database', async () => {
    const list = await cli(['--help']);
    const names = [...list.out.matchAll(/^ {2}([a-z][a-z0-9-]+)/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(8);
    expect(names).toEqual(expect.arrayContaining(['import-registry', 'campagne', 'import-envelopes', 'import-encaissements']));
    // a few at a time: each is a process
    for (let i = 0; i < names.length; i += 4) {
      const answers = await Promise.all(names.slice(i, i + 4).map(async (n) => ({ n, ...(await cli([n, '--help'])) })));
      for (const a of answers) {
        expect(a.code, a.n).toBe(0);
        expect(a.out, a.n).toContain(`Usage : npm run -s cli -- ${a.n}`);
      }
    }
    expect(existsSync(join(dir, 'jamais-creee'))).toBe(false);
  }, 240_000);
});

describe('arguments parsed from each command’s declaration', () => {
  const spec = {
    name: 'exemple',
    arguments: [{ name: 'année' }, { name: 'fichiers', many: true, missing: 'Indiquez au moins un fichier.' }],
    options: {
      frais: { type: 'string', value: 'euros', what: 'le montant', help: 'les frais' },
      csv: { type: 'boolean', help: 'en CSV' },
    },
    help: 'Une commande d’exemple.',
  } as const;

  it('reads positionals and options in any order, a value after a space or an « = », a value starting with « - »', () => {
    expect(parseCommandArgs(spec, ['--csv', '2025', 'a.csv', '--frais=12', 'b.csv'])).toMatchObject({
      ok: true,
      positionals: ['2025', 'a.csv', 'b.csv'],
      values: { csv: true, frais: '12' },
    });
    expect(parseCommandArgs(spec, ['2025', 'a.csv', '--frais', '-3'])).toMatchObject({ ok: true, values: { frais: '-3' } });
  });

  it('refuses, in French, an unknown option, a missing value, a value given to a flag, a missing or extra argument', () => {
    const message = (argv: string[]) => (parseCommandArgs(spec, argv) as { message?: string }).message;
    expect(message(['2025', 'a.csv', '--force'])).toBe('Option inconnue : --force (options : --frais <euros>, --csv).');
    expect(message(['2025', 'a.csv', '-x'])).toBe('Option inconnue : -x (options : --frais <euros>, --csv).');
    expect(message(['2025', 'a.csv', '--frais'])).toBe('Indiquez le montant après --frais.');
    expect(message(['2025', 'a.csv', '--frais', '--csv'])).toBe('Indiquez le montant après --frais.');
    expect(message(['2025', 'a.csv', '--csv=oui'])).toBe('L’option --csv ne prend pas de valeur.');
    expect(message([])).toBe('Argument manquant : <année>.');
    expect(message(['2025'])).toBe('Indiquez au moins un fichier.');
    expect(parseCommandArgs({ name: 'seul', arguments: [{ name: 'x' }], help: '' }, ['a', 'b'])).toEqual({
      ok: false,
      message: 'Argument en trop : b.',
    });
  });

  it('derives the usage line and the help from the declaration; a usage error exits 2 without running the command', async () => {
    let ran = false;
    const cmd = defineCommand(spec, async () => {
      ran = true;
      return 0;
    });
    expect(cmd.usage).toBe('exemple <année> <fichiers…> [--frais <euros>] [--csv]');
    const help = helpOf(cmd);
    expect(help).toContain('Usage : npm run -s cli -- exemple <année> <fichiers…> [--frais <euros>] [--csv]');
    expect(help).toMatch(/--frais <euros> +les frais/);
    expect(help).toContain('Codes de sortie');
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await cmd.run(['2025', 'a.csv', '--force'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(ran).toBe(false);
    expect(errors.join('\n')).toContain('Usage : npm run -s cli -- exemple');
    expect(await cmd.run(['2025', 'a.csv'])).toBe(0);
    expect(ran).toBe(true);
  });

  it('every command refuses an unknown option with exit 2, its usage, and no database', async () => {
    const list = await cli(['--help']);
    const names = [...list.out.matchAll(/^ {2}([a-z][a-z0-9-]+)/gm)].map((m) => m[1]!);
    for (let i = 0; i < names.length; i += 4) {
      const answers = await Promise.all(names.slice(i, i + 4).map(async (n) => ({ n, ...(await cli([n, '--option-inconnue'])) })));
      for (const a of answers) {
        expect(a.code, a.n).toBe(2);
        expect(a.out, a.n).toContain('Option inconnue : --option-inconnue');
        expect(a.out, a.n).toContain(`Usage : npm run -s cli -- ${a.n}`);
      }
    }
    expect(existsSync(join(dir, 'jamais-creee'))).toBe(false);
  }, 240_000);

  it('runs a real command with its parsed arguments; the launcher (npm run -s cli, soltea) writes only the report on stdout', async () => {
    const folder = join(dir, 'reelle');
    const json = await cli(['campagne', '--json', '2025'], { PGLITE_DIR: folder });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out.slice(json.out.indexOf('{')))).toMatchObject({ annee: 2025 });
    const launcher = spawnSync(process.execPath, ['scripts/cli.mjs', '--version'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: '' },
      timeout: 60_000,
    });
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; bin: Record<string, string> };
    expect(launcher.status).toBe(0);
    expect(launcher.stdout).toBe(`soltea-portail ${pkg.version}\n`);
    expect(pkg.bin.soltea).toBe('scripts/cli.mjs');
  }, 120_000);
});

describe('a PGlite folder is used by one process at a time', () => {
  it('refuses a folder held by a live process, takes over one left by a dead process, and frees it', async () => {
    const folder = join(dir, 'verrou');
    mkdirSync(folder);
    const holder = spawn('sleep', ['60']);
    writeFileSync(join(folder, 'soltea.pid'), String(holder.pid));
    expect(() => lockPgliteFolder(folder)).toThrow(PgliteFolderBusy);
    const refused = await cli(['campagne', '2025'], { PGLITE_DIR: folder });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('est ouverte par un autre processus');
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const release = lockPgliteFolder(folder); // the dead holder's lock is taken over
    expect(readFileSync(join(folder, 'soltea.pid'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(folder, 'soltea.pid'))).toBe(false);
  }, 60_000);
});

describe('progress of a long command', () => {
  const run = (isTTY: boolean) => {
    const out: string[] = [];
    const p = progressPrinter({ isTTY, write: (s: string) => out.push(s) > 0 });
    for (let done = 0; done <= 40; done++) p.show('Lecture', done, 40);
    for (let done = 0; done <= 3; done++) p.show('Écriture', done, 3);
    p.end();
    return out.join('');
  };

  it('on a pipe or a log: plain lines, one per phase and tenth, 100 % included', () => {
    const lines = run(false).split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('Lecture'))).toHaveLength(11);
    expect(lines).toContain('  Lecture : 40/40 (100 %)');
    expect(lines.at(-1)).toBe('  Écriture : 3/3 (100 %)');
    expect(run(false)).not.toContain('\r');
  });

  it('on a terminal: the line redrawn in place, a new line for each phase and at the end', () => {
    const text = run(true);
    expect(text).toContain('\r  Lecture : 2/40 (5 %)');
    expect(text).toContain('\n  Écriture : 0/3 (0 %)');
    expect(text.endsWith('Écriture : 3/3 (100 %)\n')).toBe(true);
  });
});

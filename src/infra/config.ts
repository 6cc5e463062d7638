import { z } from 'zod';
import { isValidBic, isValidIban } from '../domain/iban.js';
import { compactInput } from '../domain/identifiers.js';

/**
 * Configuration, read once from the environment and validated at start (fail fast).
 * Every variable is documented in README.md; names are a contract with operators' scripts.
 */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A whole number between `min` and `max`, `fallback` when unset (the mail queue's settings). */
const intVar = (name: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: `${name} doit être un nombre entier` })
      .int(`${name} doit être un nombre entier`)
      .min(min, `${name} vaut au moins ${min}`)
      .max(max, `${name} vaut au plus ${max}`)
      .default(fallback),
  );

const schema = z
  .object({
    NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).optional()),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
    PUBLIC_URL: z.preprocess(emptyToUndefined, z.url().optional()),
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL doit être une URL postgres://')
        .optional(),
    ),
    DATABASE_POOL_MAX: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: 'DATABASE_POOL_MAX doit être un nombre entier' }).int().min(1).max(200).default(10),
    ),
    PGLITE_DIR: z.preprocess(emptyToUndefined, z.string().default('./data/pglite')),
    SMTP_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^smtps?:\/\//, 'SMTP_URL doit être une URL smtp:// ou smtps://')
        .optional(),
    ),
    MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('net-entreprises <ne-pas-repondre@net-entreprises.localhost>')),
    MAIL_RATE_PER_SECOND: intVar('MAIL_RATE_PER_SECOND', 0, 10_000, 10),
    MAIL_MAX_ATTEMPTS: intVar('MAIL_MAX_ATTEMPTS', 1, 100, 15),
    MAIL_INTERVAL_MS: intVar('MAIL_INTERVAL_MS', 0, 3_600_000, 2000),
    MESSAGES_INTERVAL_S: intVar('MESSAGES_INTERVAL_S', 0, 86_400, 300),
    ACCESS_DELAY_HOURS: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number()
        .min(0)
        .max(24 * 30)
        .default(24),
    ),
    SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'SESSION_SECRET doit comporter au moins 32 caractères').optional()),
    SECRETS_KEY: z.preprocess(emptyToUndefined, z.string().min(32, 'SECRETS_KEY doit comporter au moins 32 caractères').optional()),
    DEMO_SEED: z.preprocess(emptyToUndefined, z.enum(['0', '1']).optional()),
    SEPA_DEBTOR_IBAN: z.preprocess(emptyToUndefined, z.string().max(40).optional()),
    SEPA_DEBTOR_BIC: z.preprocess(emptyToUndefined, z.string().max(11).optional()),
    SEPA_DEBTOR_NAME: z.preprocess(emptyToUndefined, z.string().max(70).optional()),
    DEV_TOOLS: z.preprocess(emptyToUndefined, z.enum(['0', '1'], { error: 'DEV_TOOLS vaut 0 ou 1' }).default('0')),
    TRUST_PROXY: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^(\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
          'TRUST_PROXY : le nombre de mandataires (proxies) devant le portail (par exemple 1), ou leurs adresses séparées par des virgules (10.0.0.1, 10.0.0.0/8)',
        )
        .optional(),
    ),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
    METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(32, 'METRICS_TOKEN : au moins 32 caractères').optional()),
    DEMO_NOW: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine((v) => parseInstant(v) !== null, {
          message: 'DEMO_NOW doit être un instant ISO 8601 avec son fuseau, par exemple 2025-05-26T09:00:00+02:00 ou 2025-05-26T07:00:00Z',
        })
        .optional(),
    ),
  })
  .superRefine((c, ctx) => {
    const env = nodeEnvOf(c);
    if (c.DEV_TOOLS === '1' && env === 'production')
      ctx.addIssue({
        code: 'custom',
        path: ['DEV_TOOLS'],
        message: 'DEV_TOOLS=1 est interdit en production : ces outils montrent les courriels et déplacent l’horloge',
      });
    else if (c.DEV_TOOLS === '1' && !isLoopback(c.HOST))
      ctx.addIssue({
        code: 'custom',
        path: ['DEV_TOOLS'],
        message: `DEV_TOOLS=1 n’est permis que sur la boucle locale (HOST=127.0.0.1, ::1 ou localhost), pas sur ${c.HOST}`,
      });
    checkDebtor(c, env, ctx);
    if (env === 'production') {
      if (!c.PUBLIC_URL?.startsWith('https://'))
        ctx.addIssue({
          code: 'custom',
          path: ['PUBLIC_URL'],
          message: 'PUBLIC_URL est obligatoire en production et commence par https:// (les liens des courriels)',
        });
      if (!c.SESSION_SECRET)
        ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'SESSION_SECRET est obligatoire en production' });
      if (!c.SECRETS_KEY)
        ctx.addIssue({
          code: 'custom',
          path: ['SECRETS_KEY'],
          message: 'SECRETS_KEY est obligatoire en production (chiffrement des secrets de double authentification des agents)',
        });
      if (!c.SMTP_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['SMTP_URL'],
          message: 'SMTP_URL est obligatoire en production (la boîte d’envoi de développement est désactivée)',
        });
      if (!c.DATABASE_URL)
        ctx.addIssue({
          code: 'custom',
          path: ['DATABASE_URL'],
          message: 'DATABASE_URL est obligatoire en production (PGlite est réservé à la démonstration)',
        });
    }
  });

/**
 * NODE_ENV when it is not given: `production` as soon as a real database is configured (a deployment
 * that forgot it gets the safe settings), `development` for the embedded PGlite demo.
 */
function nodeEnvOf(c: { NODE_ENV?: 'development' | 'production' | 'test' | undefined; DATABASE_URL?: string | undefined }) {
  return c.NODE_ENV ?? (c.DATABASE_URL ? 'production' : 'development');
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);
export const isLoopback = (host: string): boolean => LOOPBACK.has(host.trim().toLowerCase());

/**
 * The key that encrypts stored secrets (the agents' TOTP seeds) outside production: fixed, so that the
 * demo's enrolled agents keep their codes across restarts; production must set SECRETS_KEY.
 */
export const DEMO_SECRETS_KEY = 'demonstration-seulement-cle-des-secrets-soltea';

/** The ordering account of the SEPA files in development and tests (a test IBAN of the Banque de France's format). */
export const DEMO_SEPA_DEBTOR = {
  iban: 'FR7630001007941234567890185',
  bic: 'BDFEFRPPXXX',
  name: 'CAISSE DES DEPOTS - SOLTEA (DEMONSTRATION)',
};

/** The operator's ordering account: each variable valid when given, all three required in production. */
function checkDebtor(
  c: { SEPA_DEBTOR_IBAN?: string | undefined; SEPA_DEBTOR_BIC?: string | undefined; SEPA_DEBTOR_NAME?: string | undefined },
  env: string,
  ctx: z.RefinementCtx,
) {
  if (c.SEPA_DEBTOR_IBAN !== undefined && !isValidIban(compactInput(c.SEPA_DEBTOR_IBAN).toUpperCase()))
    ctx.addIssue({ code: 'custom', path: ['SEPA_DEBTOR_IBAN'], message: 'SEPA_DEBTOR_IBAN n’est pas un IBAN valide' });
  if (c.SEPA_DEBTOR_BIC !== undefined && !isValidBic(compactInput(c.SEPA_DEBTOR_BIC).toUpperCase()))
    ctx.addIssue({ code: 'custom', path: ['SEPA_DEBTOR_BIC'], message: 'SEPA_DEBTOR_BIC n’est pas un BIC valide (8 ou 11 caractères)' });
  if (env === 'production')
    for (const k of ['SEPA_DEBTOR_IBAN', 'SEPA_DEBTOR_BIC', 'SEPA_DEBTOR_NAME'] as const)
      if (!c[k])
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `${k} est obligatoire en production (le compte donneur d’ordre des virements SEPA)`,
        });
}

/** Which proxies' X-Forwarded-For is believed: none by default, the nearest N hops, or these addresses. */
export type TrustProxy = false | string | ((address: string, hop: number) => boolean);

/** Fastify's `trustProxy` from TRUST_PROXY: nothing by default (client addresses cannot be forged), a number of hops, or addresses. */
function trustProxyOf(v: string | undefined): TrustProxy {
  if (!v) return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .join(',');
}

export type Config = Omit<z.infer<typeof schema>, 'NODE_ENV' | 'LOG_LEVEL'> & {
  NODE_ENV: 'development' | 'production' | 'test';
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SESSION_SECRET, or in development/test a random per-process secret (never a fixed default). */
  sessionSecret: string;
  /**
   * DEMO_NOW as an instant: the application's clock starts there and runs on (a demo clock the
   * operator may move from /dev/horloge). Always null in production, where DEMO_NOW is ignored.
   */
  demoNow: Date | null;
  /** what the application should say at start (e.g. DEMO_NOW ignored in production) */
  warnings: string[];
  /** True when no SMTP server is configured: mails stay in the database outbox. */
  devOutbox: boolean;
  /** The development tools (outbox page, demo clock): only with DEV_TOOLS=1, outside production, on a loopback HOST. */
  devTools: boolean;
  /** Load the demo data set into an empty database: DEMO_SEED, else only for the embedded PGlite demo. */
  demoSeed: boolean;
  /** the key of stored secrets (SECRETS_KEY; a fixed demonstration value outside production) */
  secretsKey: string;
  /** the ordering account of the SEPA files (SEPA_DEBTOR_*; demonstration values outside production) */
  sepaDebtor: { iban: string; bic: string; name: string };
  /** Fastify's trustProxy, from TRUST_PROXY */
  trustProxy: TrustProxy;
  isProduction: boolean;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const nodeEnv = nodeEnvOf(c);
  const isProduction = nodeEnv === 'production';
  const warnings: string[] = [];
  let demoNow: Date | null = c.DEMO_NOW ? parseInstant(c.DEMO_NOW) : null;
  if (demoNow && isProduction) {
    warnings.push('DEMO_NOW est ignoré en production : l’application suit l’horloge réelle.');
    demoNow = null;
  }
  return {
    ...c,
    NODE_ENV: nodeEnv,
    // access logs (one line per request) in production; only warnings and errors in development
    LOG_LEVEL: c.LOG_LEVEL ?? (isProduction ? 'info' : 'warn'),
    sessionSecret: c.SESSION_SECRET ?? randomSecret(),
    demoNow,
    warnings,
    devOutbox: !c.SMTP_URL && !isProduction,
    devTools: c.DEV_TOOLS === '1' && !isProduction && isLoopback(c.HOST),
    demoSeed: c.DEMO_SEED ? c.DEMO_SEED === '1' : !isProduction && !c.DATABASE_URL,
    trustProxy: trustProxyOf(c.TRUST_PROXY),
    secretsKey: c.SECRETS_KEY ?? DEMO_SECRETS_KEY,
    sepaDebtor: {
      iban: c.SEPA_DEBTOR_IBAN ? compactInput(c.SEPA_DEBTOR_IBAN).toUpperCase() : DEMO_SEPA_DEBTOR.iban,
      bic: c.SEPA_DEBTOR_BIC ? compactInput(c.SEPA_DEBTOR_BIC).toUpperCase() : DEMO_SEPA_DEBTOR.bic,
      name: c.SEPA_DEBTOR_NAME ?? DEMO_SEPA_DEBTOR.name,
    },
    isProduction,
  };
}

/**
 * An ISO 8601 instant with its offset (`2025-05-26T09:00:00+02:00`, `2025-05-26T07:00Z`, milliseconds
 * allowed) → Date; null for anything else (a date alone or a time without offset is ambiguous).
 */
export function parseInstant(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/i.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59)
    return null;
  if (m[8] !== undefined && (Number(m[8]) > 14 || Number(m[9]) > 59)) return null;
  const t = Date.parse(value.trim());
  return Number.isNaN(t) ? null : new Date(t);
}

function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}

import { z } from 'zod';

/**
 * Configuration, read once from the environment and validated at start (fail fast).
 * Every variable is documented in README.md; names are a contract with operators' scripts.
 */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
    PUBLIC_URL: z.preprocess(emptyToUndefined, z.url().optional()),
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL doit être une URL postgres://').optional(),
    ),
    PGLITE_DIR: z.preprocess(emptyToUndefined, z.string().default('./data/pglite')),
    SMTP_URL: z.preprocess(emptyToUndefined, z.string().regex(/^smtps?:\/\//, 'SMTP_URL doit être une URL smtp:// ou smtps://').optional()),
    MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('net-entreprises <ne-pas-repondre@net-entreprises.localhost>')),
    ACCESS_DELAY_HOURS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(24 * 30).default(24)),
    SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'SESSION_SECRET doit comporter au moins 32 caractères').optional()),
    DEMO_SEED: z.preprocess(emptyToUndefined, z.enum(['0', '1']).optional()),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn')),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production') {
      if (!c.SESSION_SECRET) ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'SESSION_SECRET est obligatoire en production' });
      if (!c.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'SMTP_URL est obligatoire en production (la boîte d’envoi de développement est désactivée)' });
      if (!c.DATABASE_URL) ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'DATABASE_URL est obligatoire en production (PGlite est réservé à la démonstration)' });
    }
  });

export type Config = z.infer<typeof schema> & {
  /** SESSION_SECRET, or in development/test a random per-process secret (never a fixed default). */
  sessionSecret: string;
  /** True when mails are kept in the database outbox and readable in the browser. */
  devOutbox: boolean;
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
  const sessionSecret = c.SESSION_SECRET ?? randomSecret();
  return {
    ...c,
    sessionSecret,
    devOutbox: !c.SMTP_URL && c.NODE_ENV !== 'production',
    isProduction: c.NODE_ENV === 'production',
  };
}

function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}

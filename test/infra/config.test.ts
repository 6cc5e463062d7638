/**
 * Safe defaults (docs/regles.md#comptes and SECURITY.md): the development tools only on demand, on the
 * loopback, outside production; production asks for what it needs; client addresses are trusted only
 * through the proxies named.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/infra/config.js';

const PROD = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'x'.repeat(40),
  SECRETS_KEY: 'y'.repeat(40),
  SMTP_URL: 'smtp://mail.example:587',
  DATABASE_URL: 'postgres://db.example/soltea',
  PUBLIC_URL: 'https://soltea.example',
  SEPA_DEBTOR_IBAN: 'FR7630001007941234567890185',
  SEPA_DEBTOR_BIC: 'BDFEFRPPXXX',
  SEPA_DEBTOR_NAME: 'CAISSE DES DEPOTS',
};

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return '';
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
};

describe('configuration', () => {
  it('the development tools are off unless DEV_TOOLS=1, and then only on a loopback HOST, never in production', () => {
    expect(loadConfig({}).devTools).toBe(false);
    expect(loadConfig({ DEV_TOOLS: '1' }).devTools).toBe(true);
    expect(loadConfig({ DEV_TOOLS: '1', HOST: '::1' }).devTools).toBe(true);
    expect(refusal({ DEV_TOOLS: '1', HOST: '0.0.0.0' })).toMatch(/DEV_TOOLS=1 n’est permis que sur la boucle locale/);
    expect(refusal({ ...PROD, DEV_TOOLS: '1' })).toMatch(/DEV_TOOLS=1 est interdit en production/);
  });

  it('NODE_ENV is production when a real database is configured and NODE_ENV is not said', () => {
    expect(loadConfig({}).NODE_ENV).toBe('development');
    const { NODE_ENV: _, ...withoutEnv } = PROD;
    expect(loadConfig(withoutEnv).isProduction).toBe(true);
    expect(refusal({ DATABASE_URL: 'postgres://db.example/soltea' })).toMatch(/SESSION_SECRET est obligatoire en production/);
  });

  it('production asks for an https PUBLIC_URL', () => {
    expect(refusal({ ...PROD, PUBLIC_URL: '' })).toMatch(/PUBLIC_URL est obligatoire en production et commence par https:\/\//);
    expect(refusal({ ...PROD, PUBLIC_URL: 'http://soltea.example' })).toMatch(/https:\/\//);
    expect(loadConfig(PROD).isProduction).toBe(true);
  });

  it('production asks for SECRETS_KEY (the agents’ second-factor secrets); elsewhere a fixed demonstration key', () => {
    expect(refusal({ ...PROD, SECRETS_KEY: '' })).toMatch(/SECRETS_KEY est obligatoire en production/);
    expect(refusal({ ...PROD, SECRETS_KEY: 'court' })).toMatch(/SECRETS_KEY doit comporter au moins 32 caractères/);
    expect(loadConfig(PROD).secretsKey).toBe('y'.repeat(40));
    expect(loadConfig({}).secretsKey).toBe(loadConfig({ NODE_ENV: 'test' }).secretsKey);
  });

  it('the demo data set loads only into the embedded demo, unless DEMO_SEED says otherwise', () => {
    expect(loadConfig({}).demoSeed).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgres://localhost/dev' }).demoSeed).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgres://localhost/dev', DEMO_SEED: '1' }).demoSeed).toBe(true);
    expect(loadConfig(PROD).demoSeed).toBe(false);
  });

  it('client addresses come from X-Forwarded-For only through the proxies TRUST_PROXY names', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    const hops = loadConfig({ TRUST_PROXY: '1' }).trustProxy;
    expect(typeof hops === 'function' && [hops('10.0.0.1', 0), hops('203.0.113.9', 1)]).toEqual([true, false]);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.0/8' }).trustProxy).toBe('10.0.0.1,10.0.0.0/8');
    expect(refusal({ TRUST_PROXY: 'tout le monde' })).toMatch(/TRUST_PROXY/);
  });
});

/**
 * The demo clock: DEMO_NOW validated at start and ignored in production, a ShiftableClock chosen by
 * createApp, and /dev/horloge over HTTP (development only, CSRF-protected POST, form and JSON).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { selectClock } from '../../src/app.js';
import { phaseAt } from '../../src/domain/campagne.js';
import { ManualClock, ShiftableClock, systemClock } from '../../src/infra/clock.js';
import { ConfigError, loadConfig, parseInstant } from '../../src/infra/config.js';
import { currentCampaign } from '../../src/modules/campagnes/repository.js';
import { Client, createHarness, type Harness } from '../harness.js';

const DEMO_NOW = '2025-05-20T10:00:00+02:00';
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

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, '’')
    .replace(/[\u202f\u00a0]/g, ' ')
    .replace(/\s+/g, ' ');

describe('DEMO_NOW and the shiftable clock', () => {
  it('accepts an ISO instant with its offset, refuses anything else in French', () => {
    expect(loadConfig({ NODE_ENV: 'development', DEMO_NOW }).demoNow).toEqual(new Date('2025-05-20T08:00:00Z'));
    expect(loadConfig({ NODE_ENV: 'development', DEMO_NOW: '2025-05-20T08:00Z' }).demoNow).toEqual(new Date('2025-05-20T08:00:00Z'));
    expect(loadConfig({ NODE_ENV: 'development', DEMO_NOW: '' }).demoNow).toBeNull();
    for (const bad of ['2025-05-20', '2025-05-20T10:00:00', '2025-02-30T10:00:00Z', '20/05/2025 10:00', 'demain', '2025-05-20T25:00:00Z'])
      expect(() => loadConfig({ NODE_ENV: 'development', DEMO_NOW: bad })).toThrow(
        new ConfigError(
          'Configuration invalide :\n  - DEMO_NOW: DEMO_NOW doit être un instant ISO 8601 avec son fuseau, par exemple 2025-05-26T09:00:00+02:00 ou 2025-05-26T07:00:00Z',
        ),
      );
    expect(parseInstant('2025-10-26T02:30:00+01:00')).toEqual(new Date('2025-10-26T01:30:00Z'));
  });

  it('is ignored, with a warning, in production', () => {
    const c = loadConfig({ ...PROD, DEMO_NOW });
    expect(c.demoNow).toBeNull();
    expect(c.warnings).toEqual(['DEMO_NOW est ignoré en production : l’application suit l’horloge réelle.']);
    expect(selectClock(c)).toBe(systemClock);
    expect(loadConfig(PROD).warnings).toEqual([]);
  });

  it('runs on from the instant chosen and can be moved, reset or put back to real time', () => {
    const base = new ManualClock(new Date('2026-05-04T08:00:00Z'));
    const clock = selectClock(loadConfig({ NODE_ENV: 'development', DEMO_NOW }), base);
    expect(clock).toBeInstanceOf(ShiftableClock);
    const s = clock as ShiftableClock;
    expect(s.now()).toEqual(new Date('2025-05-20T08:00:00Z'));
    base.advance(90_000);
    expect(s.now()).toEqual(new Date('2025-05-20T08:01:30Z'));
    s.set(new Date('2025-11-27T00:00:00+01:00'));
    expect(s.now()).toEqual(new Date('2025-11-26T23:00:00Z'));
    base.advance(1000);
    expect(s.now()).toEqual(new Date('2025-11-26T23:00:01Z'));
    s.reset();
    expect(s.now()).toEqual(new Date('2025-05-20T08:00:00Z'));
    s.real();
    expect(s.now()).toEqual(base.now());
    expect(s.shiftMs).toBe(0);
    expect(() => s.set(new Date('x'))).toThrow(RangeError);
    expect(selectClock(loadConfig({ NODE_ENV: 'development' }), base)).toBe(base);
  });
});

describe('/dev/horloge', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  /** the development tools are asked for explicitly (DEV_TOOLS=1), on the loopback HOST of the tests */
  const start = async (env: Record<string, string>) => {
    h = await createHarness({ registryCount: 2, env: { DEV_TOOLS: '1', ...env } });
    return { h, c: new Client(h) };
  };

  it('shows the demo instant and the phases of the 2025 campaign, and moves the clock to the start of each phase', async () => {
    const { h, c } = await start({ SMTP_URL: '', DEMO_NOW });
    const page = await c.get('/dev/horloge');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="fr"');
    expect(page.body.match(/<h1/g)).toHaveLength(1);
    const t = text(page.body);
    expect(t).toContain('Instant de l’application 20 mai 2025 à 10:00');
    expect(t).toContain('Démarrée sur DEMO_NOW = 20 mai 2025 à 10:00.');
    expect(t).toContain(
      'La plateforme est ouverte aux établissements ; les employeurs pourront répartir leur solde à partir du 26 mai 2025.',
    );
    expect(t).toMatch(
      /Ouverture établissements 19 mai 2025 en cours Période 1 26 mai 2025 Entre les périodes 28 juin 2025 Période 2 14 juillet 2025 Clôture 25 octobre 2025 Reliquat 27 novembre 2025/,
    );
    for (const label of ['Ouverture établissements', 'Période 1', 'Entre les périodes', 'Période 2', 'Clôture', 'Reliquat'])
      expect(page.body).toMatch(new RegExp(`<button[^>]*name="cible"[^>]*>${label}</button>`));
    expect(page.body).toMatch(/<label class="fr-label" for="instant">Date et heure \(heure de Paris\)/);

    const moves: [string, string, string][] = [
      ['periode-1', '2025-05-25T22:00:00.000Z', 'periode'],
      ['entre-1', '2025-06-27T22:00:00.000Z', 'entre_periodes'],
      ['periode-2', '2025-07-13T22:00:00.000Z', 'periode'],
      ['cloture', '2025-10-24T22:00:00.000Z', 'cloturee'],
      ['reliquat', '2025-11-26T23:00:00.000Z', 'reliquat'],
      ['etablissements', '2025-05-18T22:00:00.000Z', 'etablissements'],
    ];
    for (const [cible, iso, phase] of moves) {
      const res = await c.form('/dev/horloge', { cible, annee: '2025' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/dev/horloge?notice=deplacee');
      expect(h.ctx.clock.now().toISOString()).toBe(iso);
      const campaign = await currentCampaign(h.ctx);
      expect(campaign.annee).toBe(2025);
      expect(phaseAt(campaign, h.ctx.clock.now()).phase).toBe(phase);
    }
    await c.form('/dev/horloge', { cible: 'periode-2' });
    h.clock.advance(3_600_000); // the demo clock keeps running
    const after = text((await c.get('/dev/horloge?notice=deplacee')).body);
    expect(after).toContain('L’horloge a été déplacée au 14 juillet 2025 à 01:00.');
    expect(after).toContain('La période de répartition 2 est ouverte jusqu’au 24 octobre 2025 inclus.');
    expect(after).toMatch(/Période 2 14 juillet 2025 en cours/);
  });

  it('moves to a chosen instant (Paris time), answers JSON, and goes back to DEMO_NOW or to real time', async () => {
    const { h, c } = await start({ SMTP_URL: '', DEMO_NOW });
    await c.get('/dev/horloge');
    const res = await c.form('/dev/horloge', { instant: '2025-07-14T09:30' });
    expect(res.statusCode).toBe(303);
    expect(h.ctx.clock.now().toISOString()).toBe('2025-07-14T07:30:00.000Z');
    // winter time
    await c.form('/dev/horloge', { instant: '2025-12-01T09:30' });
    expect(h.ctx.clock.now().toISOString()).toBe('2025-12-01T08:30:00.000Z');

    const json = await c.json('/dev/horloge', { instant: '2025-06-02T09:00:00+02:00' });
    expect(json.statusCode).toBe(200);
    expect(JSON.parse(json.body)).toEqual({
      maintenant: '2025-06-02T07:00:00.000Z',
      campagne: 2025,
      phase: 'La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus.',
      etape: 'periode-1',
    });
    const state = await c.get('/dev/horloge', 'application/json');
    expect(JSON.parse(state.body)).toMatchObject({
      maintenant: '2025-06-02T07:00:00.000Z',
      deplacable: true,
      demoNow: '2025-05-20T08:00:00.000Z',
      campagne: 2025,
      etapes: expect.arrayContaining([{ cible: 'periode-1', libelle: 'Période 1', instant: '2025-05-25T22:00:00.000Z', enCours: true }]),
    });

    await c.form('/dev/horloge', { cible: 'demo-now' });
    expect(h.ctx.clock.now().toISOString()).toBe('2025-05-20T08:00:00.000Z');
    await c.form('/dev/horloge', { cible: 'heure-reelle' });
    expect(h.ctx.clock.now()).toEqual(h.clock.now());
    expect(text((await c.get('/dev/horloge')).body)).toContain('À l’heure réelle.');
  });

  it('refuses wrong input in French, without moving the clock; a POST without the CSRF token is refused', async () => {
    const { h, c } = await start({ SMTP_URL: '', DEMO_NOW });
    await c.get('/dev/horloge');
    const before = h.ctx.clock.now().toISOString();
    const bad = await c.form('/dev/horloge', { instant: '2025-02-30T10:00' });
    expect(bad.statusCode).toBe(400);
    const t = text(bad.body);
    expect(t).toContain(
      'Date et heure incorrectes : saisissez un jour et une heure qui existent (JJ/MM/AAAA HH:MM), par exemple le 2 juin 2025 à 09:00.',
    );
    expect(bad.body).toContain('value="2025-02-30T10:00"');
    expect(bad.body).toMatch(/aria-describedby="instant-hint instant-messages"/);
    expect((await c.form('/dev/horloge', { instant: '  ' })).statusCode).toBe(400);
    expect((await c.form('/dev/horloge', { instant: '<script>alert(1)</script>' })).body).not.toContain('<script>alert(1)</script>');
    expect((await c.form('/dev/horloge', { instant: '1900-01-01T10:00' })).statusCode).toBe(400);
    const unknown = await c.form('/dev/horloge', { cible: 'vacances' });
    expect(unknown.statusCode).toBe(400);
    expect(text(unknown.body)).toContain(
      'Étape inconnue pour la campagne 2025 : etablissements, periode-1, entre-1, periode-2, cloture, reliquat, demo-now, heure-reelle.',
    );
    expect((await c.form('/dev/horloge', { cible: 'periode-1', instant: '2025-07-14T09:30' })).statusCode).toBe(400);
    const json = await c.json('/dev/horloge', { instant: 'demain' });
    expect(json.statusCode).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({
      message: expect.stringMatching(/^Date et heure incorrectes/),
      errors: { instant: expect.stringMatching(/^Date et heure incorrectes/) },
    });
    expect((await c.form('/dev/horloge', { annee: 'deux mille' })).statusCode).toBe(400);
    expect(h.ctx.clock.now().toISOString()).toBe(before);

    const forged = await h.server.inject({
      method: 'POST',
      url: '/dev/horloge',
      payload: 'cible=reliquat',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(forged.statusCode).toBe(403);
    expect(h.ctx.clock.now().toISOString()).toBe(before);
  });

  it('without DEMO_NOW the page says how to start a demo clock and refuses to move the real one', async () => {
    const { h, c } = await start({ SMTP_URL: '' });
    const page = await c.get('/dev/horloge');
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('L’horloge suit l’heure réelle Pour la déplacer, démarrez l’application avec la variable DEMO_NOW');
    expect(page.body).not.toContain('name="cible"');
    const res = await c.form('/dev/horloge', { cible: 'periode-1' });
    expect(res.statusCode).toBe(409);
    expect(text(res.body)).toContain('L’horloge suit l’heure réelle : démarrez l’application avec DEMO_NOW pour pouvoir la déplacer.');
    expect(h.ctx.clock).toBe(h.clock);
  });

  it('does not exist without DEV_TOOLS=1, even with a demo clock and no SMTP', async () => {
    const { c } = await start({ DEV_TOOLS: '0', SMTP_URL: '', DEMO_NOW });
    expect((await c.get('/dev/horloge')).statusCode).toBe(404);
    expect((await c.get('/dev/boite-mail')).statusCode).toBe(404);
  });
});

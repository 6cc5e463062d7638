import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COMPANIES } from '../src/demo/registry.js';
import { Client, createHarness, linkIn, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.stop());

describe('inscription of a mono-établissement company, end to end over HTTP', () => {
  it('registers, validates the e-mail and logs in', async () => {
    const c = new Client(h);
    const siret = DEMO_COMPANIES.boulangerieMoutin.siret;
    let r = await c.form('/inscription', {
      siret,
      nom: 'Moutin',
      prenom: 'Claire',
      telephone: '01 23 45 67 89',
      portable: '',
      email: 'claire@example.fr',
      emailConfirm: 'claire@example.fr',
    });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe('/inscription/conditions');
    r = await c.get('/inscription/conditions');
    expect(r.body).toContain('J’accepte');
    r = await c.form('/inscription/conditions', { decision: 'accepte' });
    expect(r.headers.location).toBe('/inscription/identification');
    r = await c.get('/inscription/identification');
    expect(r.body).toContain('BOULANGERIE MOUTIN');
    r = await c.form('/inscription/identification', {});
    r = await c.form('/inscription/mot-de-passe', {
      password: 'Fournil-du-matin-42',
      passwordConfirm: 'Fournil-du-matin-42',
      secretQuestion: 'Quel est le nom de mon premier chien ?',
      secretAnswer: 'Brioche',
    });
    expect(r.headers.location, r.body).toBe('/inscription/recapitulatif');
    r = await c.form('/inscription/recapitulatif', {});
    expect(r.headers.location).toBe('/inscription/profil');
    r = await c.form('/inscription/profil', { kind: 'entreprise', organisationType: 'entreprise_privee', domains: ['formation'] });
    expect(r.headers.location, r.body).toBe('/inscription/declarations');
    r = await c.form('/inscription/declarations', { declarations: ['SOLTEA_EMPLOYEURS'] });
    expect(r.headers.location, r.body).toBe('/inscription/habilitations');
    r = await c.form('/inscription/habilitations', { tous: ['declarer', 'payer'] });
    expect(r.headers.location, r.body).toBe('/inscription/confirmation');
    r = await c.form('/inscription/confirmation', {});
    expect(r.headers.location, r.body).toBe('/inscription/validation');
    r = await c.get('/inscription/validation');
    expect(r.body).toContain('SOLTéA - Employeurs');

    // not reachable before validation
    r = await c.form('/connexion', { siret, nom: 'MOUTIN', prenom: 'claire', password: 'Fournil-du-matin-42' });
    expect(r.statusCode).toBe(403);

    const mails = await h.takeMails();
    const mail = mails.find((m) => m.subject === 'Validation de votre adresse électronique');
    expect(mail?.to).toBe('claire@example.fr');
    const link = linkIn(mail!.text, '/validation-courriel?jeton=');
    r = await c.get(link);
    expect(r.statusCode).toBe(200);
    const token = new URL(`http://x${link}`).searchParams.get('jeton')!;
    r = await c.form('/validation-courriel', { jeton: token });
    expect(r.statusCode).toBe(303);
    // single use
    r = await c.form('/validation-courriel', { jeton: token });
    expect(r.statusCode).toBe(410);

    await c.get('/connexion');
    r = await c.form('/connexion', { siret, nom: 'MOUTIN', prenom: 'claire', password: 'Fournil-du-matin-42' });
    expect(r.statusCode, r.body).toBe(303);
    r = await c.get('/menu');
    expect(r.body).toContain('Accessible sous 24 heures');
    h.clock.advance(24 * 3_600_000);
    r = await c.get('/menu');
    expect(r.statusCode).toBe(303); // idle time-out (30 min) ended the session
    await c.get('/connexion');
    r = await c.form('/connexion', { siret, nom: 'MOUTIN', prenom: 'claire', password: 'Fournil-du-matin-42' });
    expect(r.statusCode, r.body).toBe(303);
    r = await c.get('/menu');
    expect(r.body).toContain('Accessible</span>');
  });
});

/**
 * The steps of the journeys, written as a new user walks them: links, buttons and fields are found
 * by their visible French names; every page reached goes through `checkPage` (axe, one h1,
 * lang="fr", screenshot).
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpCode } from '../src/modules/operateur/totp.js';
import { checkPage, SECRET, waitValid, type Journey } from './support.js';

export interface Person {
  siret: string;
  raisonSociale: string;
  nom: string;
  prenom: string;
  telephone: string;
  email: string;
  password: string;
}

/**
 * A form field by its visible label. DSFR labels hold the « * » of a required field and the hint
 * (« Siret * Les 14 chiffres… »): the label must start with `label`, followed by the asterisk, the
 * end, or the hint's capital letter — so « Nom » is not « Prénom », nor « Courriel » « Confirmation courriel ».
 */
export function field(page: Page, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}(?: \\*|$|(?=[A-ZÀ-Ý0-9]))`));
}

/**
 * Checks (or unchecks) a DSFR radio button or checkbox as a person does: by clicking its label (the
 * input itself is drawn by the label and lies under it).
 */
export async function tick(box: Locator, on = true): Promise<void> {
  if ((await box.isChecked()) === on) return;
  const id = await box.getAttribute('id');
  await box.page().locator(`label[for="${id}"]`).click();
  if ((await box.isChecked()) !== on) throw new Error(`la case ${id} n’a pas changé d’état`);
}

/** The h1 of the page, once loaded. */
export async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

/** The value of a « dt » in a definition list (recap, identification). */
export async function definition(page: Page, term: string): Promise<string> {
  return (
    (await page
      .locator('dt', { hasText: new RegExp(`^${term}$`) })
      .locator('xpath=following-sibling::dd[1]')
      .textContent()) ?? ''
  ).trim();
}

/** Home → « Je crée mon compte » (header link). */
export async function openInscription(page: Page, prefix: string): Promise<void> {
  await page.goto('/');
  await checkPage(page, `${prefix}-accueil`);
  await page.getByRole('link', { name: 'Je crée mon compte', exact: true }).click();
  await page.waitForURL('**/inscription');
  expect(await heading(page)).toBe('Inscription à net-entreprises');
  await checkPage(page, `${prefix}-coordonnees`);
}

/** Step 1, « Vos coordonnées », each field shown valid by the live check, then « Je m’inscris ». */
export async function fillCoordonnees(page: Page, p: Person, prefix: string): Promise<void> {
  await field(page, 'Siret').fill(p.siret);
  await waitValid(page, 'siret');
  await field(page, 'Nom').fill(p.nom);
  await waitValid(page, 'nom');
  await field(page, 'Prénom').fill(p.prenom);
  await waitValid(page, 'prenom');
  await field(page, 'Téléphone').fill(p.telephone);
  await waitValid(page, 'telephone');
  await field(page, 'Courriel').fill(p.email);
  await waitValid(page, 'email');
  await field(page, 'Confirmation courriel').fill(p.email);
  await field(page, 'Confirmation courriel').blur();
  await waitValid(page, 'emailConfirm');
  await checkPage(page, `${prefix}-coordonnees-valides`);
  await page.getByRole('button', { name: 'Je m’inscris' }).click();
  await page.waitForURL('**/inscription/conditions');
}

/** Step 2: conditions générales, « J’accepte ». */
export async function acceptCgu(page: Page, prefix: string): Promise<void> {
  await checkPage(page, `${prefix}-conditions`);
  await expect
    .poll(() =>
      page
        .getByRole('heading', { level: 2, name: /Conditions générales/ })
        .first()
        .isVisible(),
    )
    .toBe(true);
  await page.getByRole('button', { name: 'J’accepte' }).click();
  await page.waitForURL('**/inscription/identification');
}

/**
 * Step 3: the establishment identified from the registry, « Étape suivante ». The same page whether the
 * company is already registered or not (no account enumeration).
 */
export async function confirmIdentification(page: Page, p: Person, prefix: string): Promise<void> {
  await checkPage(page, `${prefix}-identification`);
  expect(await definition(page, 'Raison sociale')).toBe(p.raisonSociale);
  expect(await page.getByText('déjà inscrite').count()).toBe(0);
  await page.getByRole('button', { name: 'Étape suivante' }).click();
  await page.waitForURL('**/inscription/mot-de-passe');
}

/** Reads the password checklist: rule label → respected. */
export async function passwordRules(page: Page): Promise<Record<string, boolean>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('[data-rule]')].map((li) => [
        li.dataset.rule ?? '',
        li.classList.contains('rule-ok') && (li.querySelector('.rule-state')?.textContent ?? '').includes(': respecté'),
      ]),
    ),
  );
}

export async function gauge(page: Page): Promise<{ value: number; label: string }> {
  return page.evaluate(() => ({
    value: (document.getElementById('password-gauge') as HTMLMeterElement).value,
    label: document.getElementById('password-gauge-label')?.textContent ?? '',
  }));
}

/**
 * Fills « Mot de passe » (watching the rules turn to ✓ and the gauge rise), its confirmation, the
 * secret question and answer. `label` is the password field's label.
 */
export async function fillPasswordAndQuestion(
  page: Page,
  password: string,
  opts: { label?: string; question?: boolean } = {},
): Promise<void> {
  const pw = field(page, opts.label ?? 'Mot de passe');
  // Letters only: « 6 lettres » is ✓, « 2 chiffres » is not yet.
  await pw.fill(password.replace(/[^A-Za-z]/g, ''));
  await expect.poll(async () => (await passwordRules(page)).minLetters).toBe(true);
  expect((await passwordRules(page)).minDigits).toBe(false);
  const weak = await gauge(page);
  await pw.fill(password);
  await expect.poll(async () => Object.values(await passwordRules(page)).every(Boolean)).toBe(true);
  const strong = await gauge(page);
  expect(strong.value).toBeGreaterThan(weak.value);
  expect(strong.label).toMatch(/Qualité du mot de passe : (Fort|Très fort)/);
  await waitValid(page, 'password');
  await field(page, 'Confirmation du mot de passe').fill(password);
  await field(page, 'Confirmation du mot de passe').blur();
  await waitValid(page, 'passwordConfirm');
  if (opts.question !== false) {
    await field(page, 'Question secrète').fill(SECRET.question);
    await waitValid(page, 'secretQuestion');
    await field(page, 'Réponse à la question secrète').fill(SECRET.answer);
    await field(page, 'Réponse à la question secrète').blur();
    await waitValid(page, 'secretAnswer');
  }
}

/** Step 4: password and secret question, « Étape suivante ». */
export async function choosePassword(page: Page, p: Person, prefix: string): Promise<void> {
  await checkPage(page, `${prefix}-mot-de-passe`);
  await fillPasswordAndQuestion(page, p.password);
  await checkPage(page, `${prefix}-mot-de-passe-rempli`);
  await page.getByRole('button', { name: 'Étape suivante' }).click();
  await page.waitForURL('**/inscription/recapitulatif');
}

/** Step 5: the recap, « S’inscrire aux services net-entreprises »; everyone goes on to the profile. */
export async function confirmRecap(page: Page, p: Person, prefix: string): Promise<void> {
  await checkPage(page, `${prefix}-recapitulatif`);
  expect(await definition(page, 'Raison sociale')).toBe(p.raisonSociale);
  expect(await definition(page, 'Courriel')).toBe(p.email);
  expect(await definition(page, 'Question secrète')).toBe(SECRET.question);
  expect(await page.content()).not.toContain(p.password);
  await page.getByRole('button', { name: 'S’inscrire aux services net-entreprises' }).click();
  await page.waitForURL('**/inscription/profil');
}

/** Step 6: profile, domain « La formation », the list of declarations opened, « Valider ». */
export async function fillProfile(
  page: Page,
  prefix: string,
  opts: { kind: 'Votre entreprise' | 'Votre entreprise et vos clients'; keep: string[] },
): Promise<void> {
  await checkPage(page, `${prefix}-profil`);
  await tick(field(page, opts.kind));
  await tick(page.getByRole('radio', { name: 'Une entreprise du secteur privé' }));
  await tick(page.getByRole('checkbox', { name: 'La formation' }));
  await page.getByText('Modifier la liste des déclarations').click();
  const declarations = page.locator('#declarations').getByRole('checkbox');
  await expect.poll(() => declarations.first().isVisible()).toBe(true);
  for (const box of await declarations.all()) {
    if (!(await box.isVisible())) continue;
    const name = (await box.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.firstChild?.textContent ?? '')).trim();
    await tick(box, opts.keep.includes(name));
  }
  await checkPage(page, `${prefix}-profil-declarations`);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL('**/inscription/validation');
}

/** Step 7: the validation page with the habilitations asked for, the same for everyone. */
export async function checkValidationPage(
  page: Page,
  p: Person,
  prefix: string,
  declarations: string[],
  opts: { tiers?: boolean } = {},
): Promise<void> {
  await checkPage(page, `${prefix}-validation`);
  await expect.poll(() => page.getByText('Votre demande d’inscription est enregistrée').isVisible()).toBe(true);
  // A tiers-déclarant is told how to add collaborators and clients.
  expect(await page.getByRole('heading', { name: 'Vos collaborateurs' }).isVisible()).toBe(Boolean(opts.tiers));
  expect(await page.getByText(p.email).first().isVisible()).toBe(true);
  const table = page.getByRole('table', { name: 'Les habilitations demandées' });
  const rows = await table.locator('tbody tr').allTextContents();
  expect(rows.length).toBe(declarations.length);
  for (const d of declarations) expect(rows.some((r) => r.includes(d) && r.includes(`${p.prenom} ${p.nom}`))).toBe(true);
}

/** Opens the « Validation de votre adresse électronique » link from the mail and confirms it. */
export async function validateEmail(j: Journey, page: Page, p: Person, prefix: string): Promise<void> {
  const link = await j.mailLink({ to: p.email, subject: 'Validation de votre adresse électronique' }, '/validation-courriel?jeton=');
  await page.goto(link);
  await checkPage(page, `${prefix}-validation-courriel`);
  await page.getByRole('button', { name: 'Valider mon adresse électronique' }).click();
  await page.waitForLoadState('load');
}

/** « Se connecter à net-entreprises »: SIRET, Nom, Prénom, Mot de passe, « Je me connecte ». */
export async function logIn(page: Page, p: Pick<Person, 'siret' | 'nom' | 'prenom'>, password: string, prefix: string): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/connexion')) {
    await page.goto('/connexion');
  }
  await checkPage(page, `${prefix}-connexion`);
  await field(page, 'Siret').fill(p.siret);
  await field(page, 'Nom').fill(p.nom);
  await field(page, 'Prénom').fill(p.prenom);
  await field(page, 'Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Je me connecte' }).click();
  await page.waitForLoadState('load');
}

/** Logs out with the header button. */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL('**/connexion?notice=deconnecte');
}

/** The tiles of the menu personnalisé: name → badge. */
export async function menuTiles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('.fr-tile')].map((t) => [
        t.querySelector('.fr-tile__title')?.textContent?.trim() ?? '',
        t.querySelector('.fr-badge')?.textContent?.trim() ?? '',
      ]),
    ),
  );
}

/**
 * The whole inscription of a company's first administrator, from the home page to the menu
 * personnalisé: coordonnées, CGU, identification, mot de passe, récapitulatif, profil, validation,
 * the mail's link, and the first login.
 */
export async function registerAdministrator(
  j: Journey,
  page: Page,
  p: Person,
  prefix: string,
  opts: { kind?: 'Votre entreprise' | 'Votre entreprise et vos clients'; keep?: string[] } = {},
): Promise<void> {
  const keep = opts.keep ?? ['SOLTéA - Employeurs'];
  await openInscription(page, prefix);
  await fillCoordonnees(page, p, prefix);
  await acceptCgu(page, prefix);
  await confirmIdentification(page, p, prefix);
  await choosePassword(page, p, prefix);
  await confirmRecap(page, p, prefix);
  await fillProfile(page, prefix, { kind: opts.kind ?? 'Votre entreprise', keep });
  await checkValidationPage(page, p, prefix, keep, { tiers: opts.kind === 'Votre entreprise et vos clients' });
  await validateEmail(j, page, p, prefix);
  await page.waitForURL('**/connexion?notice=courriel-valide');
  await expect.poll(() => page.getByText('Votre adresse électronique est validée.').isVisible()).toBe(true);
  await logIn(page, p, p.password, prefix);
  await page.waitForURL('**/menu');
  await checkPage(page, `${prefix}-menu`);
  expect(await heading(page)).toBe('Menu personnalisé');
}

/**
 * A second (or third) person of a company that already has an administrator: the same inscription and
 * the same pages as a first administrator's (the profile chosen is what they ask for), the mail
 * validation, then a mail saying that the request went to the administrators.
 */
export async function registerCandidat(j: Journey, page: Page, p: Person, prefix: string): Promise<void> {
  const keep = ['SOLTéA - Employeurs'];
  await openInscription(page, prefix);
  await fillCoordonnees(page, p, prefix);
  await acceptCgu(page, prefix);
  await confirmIdentification(page, p, prefix);
  await choosePassword(page, p, prefix);
  await confirmRecap(page, p, prefix);
  await fillProfile(page, prefix, { kind: 'Votre entreprise', keep });
  await checkValidationPage(page, p, prefix, keep);
  await validateEmail(j, page, p, prefix);
  await page.waitForURL('**/connexion?notice=courriel-valide');
  await checkPage(page, `${prefix}-courriel-valide`);
  const mail = await j.waitForMail({ to: p.email, subject: 'Votre demande est transmise aux administrateurs de votre entreprise' });
  expect(mail.text).toContain('Demande en attente');
}

/** « Demande en attente » from the menu personnalisé (administrators). */
export async function openDemandes(page: Page, prefix: string, pending: number): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/menu')) await page.goto('/menu');
  await page.getByRole('link', { name: pending ? `Demande en attente (${pending})` : 'Demande en attente', exact: true }).click();
  await page.waitForURL('**/menu/demandes');
  expect(await heading(page)).toBe('Demande en attente');
  await checkPage(page, `${prefix}-demandes`);
}

/** The temporary password of an administrator's reset mail. */
export function temporaryPasswordIn(text: string): string {
  const m = /Mot de passe temporaire \(valable 12 heures\) : (\S+)/.exec(text);
  if (!m) throw new Error(`pas de mot de passe temporaire dans :\n${text}`);
  return m[1]!;
}

/** An operator's agent logs in from `/operateur`: password, then the application's current TOTP code; the home page. */
export async function logInAgent(j: Journey, page: Page, agent: { courriel: string; totpSecret: string }, password: string): Promise<void> {
  await page.goto('/operateur');
  await field(page, 'Courriel').fill(agent.courriel);
  await field(page, 'Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.waitForLoadState('load');
  await field(page, 'Code à 6 chiffres').fill(totpCode(agent.totpSecret, j.clock.now()));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForLoadState('load');
  expect(await heading(page)).toBe('Espace opérateur');
}

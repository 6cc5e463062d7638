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

/**
 * The guide's words as a pattern of an accessible name: the whole name, letter for letter, the
 * typewriter and typographic apostrophes being the same (the guide is typed with ', the pages set ’),
 * as are a capital E and É (the guide writes « Etape suivante » and « ÉTAPE SUIVANTE » for one button).
 */
export function guideName(words: string): RegExp {
  const escaped = words
    .replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    .replace(/['’]/g, "['’]")
    .replace(/[EÉ]/g, '[EÉ]');
  return new RegExp(`^${escaped}$`);
}

/**
 * Presses the control (button or link) whose accessible name is the guide's `words`, and nothing else:
 * no CSS selector, no id. None, or more than one visible, fails the journey (a renamed button is found
 * by nobody). `scope`: a part of the page (an open dialog).
 */
export async function press(scope: Page | Locator, words: string): Promise<void> {
  const name = guideName(words);
  const candidates = [scope.getByRole('button', { name }), scope.getByRole('link', { name })];
  const visible: Locator[] = [];
  for (const c of candidates) for (const one of await c.all()) if (await one.isVisible()) visible.push(one);
  if (visible.length !== 1)
    throw new Error(`« ${words} » : ${visible.length} bouton(s) ou lien(s) visibles portent ce nom (un seul attendu)`);
  await visible[0]!.click();
}

/** Ticks the radio button or checkbox whose accessible name is the guide's `words`. */
export async function choose(scope: Page | Locator, role: 'radio' | 'checkbox', words: string, on = true): Promise<void> {
  await tick(scope.getByRole(role, { name: guideName(words) }), on);
}

/** « Étape k sur n » of the stepper, as numbers. */
export async function stepperState(page: Page): Promise<[number, number]> {
  const text = (await page.locator('.fr-stepper__state').textContent()) ?? '';
  const m = /^Étape (\d+) sur (\d+)$/.exec(text.trim());
  if (!m) throw new Error(`pas d’indicateur d’étapes lisible : « ${text} »`);
  return [Number(m[1]), Number(m[2])];
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
  expect(await stepperState(page)).toEqual([1, 8]);
  await press(page, "Je m'inscris");
  await page.waitForURL('**/inscription/conditions');
}

/** Each inscription page's stepper: « Étape k sur n », k following the steps walked. */
async function expectStep(page: Page, k: number, n: number): Promise<void> {
  expect(await stepperState(page), page.url()).toEqual([k, n]);
}

/** Step 2: conditions générales, « J'accepte ». */
export async function acceptCgu(page: Page, prefix: string, total = 8): Promise<void> {
  await checkPage(page, `${prefix}-conditions`);
  await expectStep(page, 2, total);
  await expect
    .poll(() =>
      page
        .getByRole('heading', { level: 2, name: /Conditions générales/ })
        .first()
        .isVisible(),
    )
    .toBe(true);
  await press(page, "J'accepte");
  await page.waitForURL('**/inscription/identification');
}

/**
 * Step 3: « Identification de votre établissement », « Vos coordonnées » and « Votre établissement de
 * rattachement » with both addresses, then « Étape suivante ». The same page whether the company is
 * already registered or not (no account enumeration).
 */
export async function confirmIdentification(page: Page, p: Person, prefix: string, total = 8): Promise<void> {
  await checkPage(page, `${prefix}-identification`);
  await expectStep(page, 3, total);
  for (const h of ['Identification de votre établissement', 'Vos coordonnées', 'Votre établissement de rattachement'])
    expect(await page.getByRole('heading', { name: h, exact: true }).isVisible(), h).toBe(true);
  expect(await definition(page, 'Raison sociale')).toBe(p.raisonSociale);
  expect(await definition(page, 'Nom')).toBe(p.nom);
  expect(await definition(page, 'Adresse électronique')).toBe(p.email);
  expect(await definition(page, 'Votre adresse principale')).not.toBe('');
  expect(await definition(page, 'Votre adresse de correspondance')).not.toBe('');
  expect(await page.getByText('déjà inscrite').count()).toBe(0);
  await press(page, 'Étape suivante');
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
 * Fills « Mot de passe » (watching the criteria turn to ✓ and the gauge rise), its confirmation, the
 * secret question and answer. The labels are the pages' (the inscription's are the guide's).
 */
export async function fillPasswordAndQuestion(
  page: Page,
  password: string,
  opts: { label?: string; confirmLabel?: string; questionLabel?: string; answerLabel?: string; question?: boolean } = {},
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
  expect(strong.label).toMatch(/Qualité de votre mot de passe : (Bon|Très bon)/);
  await waitValid(page, 'password');
  const confirm = field(page, opts.confirmLabel ?? 'Confirmation du mot de passe');
  await confirm.fill(password);
  await confirm.blur();
  await waitValid(page, 'passwordConfirm');
  if (opts.question !== false) {
    await field(page, opts.questionLabel ?? 'Question secrète').fill(SECRET.question);
    await waitValid(page, 'secretQuestion');
    const answer = field(page, opts.answerLabel ?? 'Réponse à la question secrète');
    await answer.fill(SECRET.answer);
    await answer.blur();
    await waitValid(page, 'secretAnswer');
  }
}

/** The guide's criteria, the minimal ones with their asterisk. */
const CRITERIA = [
  'Au moins 6 lettres *',
  'Au moins 2 chiffres *',
  'Au plus 20 caractères *',
  'Mélange majuscule / minuscule',
  'Caractères accentués / spéciaux',
];

/** Step 4: « Créez votre mot de passe », « Renseignez votre question secrète », « Valider ». */
export async function choosePassword(page: Page, p: Person, prefix: string, total = 8): Promise<void> {
  await checkPage(page, `${prefix}-mot-de-passe`);
  await expectStep(page, 4, total);
  for (const h of ['Créez votre mot de passe', 'Renseignez votre question secrète'])
    expect(await page.getByRole('heading', { name: h, exact: true }).isVisible(), h).toBe(true);
  const criteria = await page.locator('[data-rule]').evaluateAll((lis) =>
    lis.map((li) =>
      [...li.childNodes]
        .filter((n) => !(n as Element).classList?.contains('fr-sr-only'))
        .map((n) => n.textContent)
        .join(''),
    ),
  );
  expect(criteria).toEqual(CRITERIA);
  expect(await page.locator('#password-gauge-label').textContent()).toBe('Qualité de votre mot de passe : à saisir');
  await fillPasswordAndQuestion(page, p.password, {
    confirmLabel: 'Confirmation',
    questionLabel: 'Veuillez saisir une question',
    answerLabel: 'Veuillez saisir une réponse',
  });
  // the criteria met are green
  const colours = await page.locator('[data-rule]').evaluateAll((lis) => lis.map((li) => getComputedStyle(li).color));
  expect(new Set(colours).size).toBe(1);
  await checkPage(page, `${prefix}-mot-de-passe-rempli`);
  await press(page, 'Valider');
  await page.waitForURL('**/inscription/recapitulatif');
}

/** Step 5: « Vos données d'authentification », « S'inscrire aux services Net-Entreprises »; everyone goes on to the profile. */
export async function confirmRecap(page: Page, p: Person, prefix: string, total = 8): Promise<void> {
  await checkPage(page, `${prefix}-recapitulatif`);
  await expectStep(page, 5, total);
  expect(await definition(page, 'Raison sociale')).toBe(p.raisonSociale);
  expect(await definition(page, 'Courriel')).toBe(p.email);
  expect(await definition(page, 'Question secrète')).toBe(SECRET.question);
  expect(await page.content()).not.toContain(p.password);
  await press(page, "S'inscrire aux services Net-Entreprises");
  await page.waitForURL('**/inscription/profil');
}

export type Kind = 'Votre entreprise' | 'Votre entreprise et vos clients';

/**
 * Step 6: « Quel est votre profil d'entreprise ? », « Formation », « Valider »; the dialog « Validation de
 * vos déclarations » opens on the page, « Modifier la liste des déclarations » keeps `keep`, « Valider ».
 */
export async function fillProfile(page: Page, prefix: string, opts: { kind: Kind; keep: string[] }): Promise<void> {
  const total = opts.kind === 'Votre entreprise et vos clients' ? 9 : 8;
  await checkPage(page, `${prefix}-profil`);
  expect(await page.getByRole('heading', { name: 'Quel est votre profil d’entreprise ?' }).isVisible()).toBe(true);
  await choose(page, 'radio', opts.kind);
  await choose(page, 'radio', 'Une entreprise ou un organisme du secteur privé');
  expect(await page.getByRole('radio', { name: 'Une entreprise gérée par un tiers déclarant (expert-comptable, CGA...)' }).count()).toBe(1);
  await choose(page, 'checkbox', 'Formation');
  await expectStep(page, 6, total);
  await press(page, 'Valider');
  const dialog = page.getByRole('dialog', { name: 'Validation de vos déclarations' });
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await page.waitForTimeout(400); // the end of the opening animation, for the screenshot
  await checkPage(page, `${prefix}-validation-declarations`, { fullPage: false });
  const listed = await dialog
    .getByRole('list', { name: 'Vos déclarations :' })
    .getByRole('listitem')
    .filter({ visible: true })
    .allTextContents();
  expect(listed).toEqual([
    'Mon Compte Formation / Elu - Abondements des comptes des salariés et des élus locaux',
    'SOLTéA - Employeurs - Répartir le solde de la taxe d’apprentissage aux formations et établissements habilités',
    'SOLTéA - Etablissements - Recevoir des fonds issus du solde de la taxe d’apprentissage',
  ]);
  expect(await dialog.getByRole('button', { name: 'Annuler', exact: true }).isVisible()).toBe(true);
  await press(dialog, 'Modifier la liste des déclarations');
  const boxes = dialog.getByRole('checkbox');
  for (const box of await boxes.all()) {
    if (!(await box.isVisible())) continue;
    const label = (await box.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent ?? '')).trim();
    await tick(
      box,
      opts.keep.some((k) => label.startsWith(`${k} - `)),
    );
  }
  await checkPage(page, `${prefix}-validation-declarations-modifiee`, { fullPage: false });
  await press(dialog, 'Valider');
  await page.waitForURL('**/inscription/habilitations');
}

/**
 * Step 7: « Votre inscription en tant qu'entreprise [tiers] déclarante », the rights table with its
 * checkboxes and « Tous », « Etape suivante ».
 */
export async function chooseRights(page: Page, prefix: string, opts: { kind: Kind; keep: string[] }): Promise<void> {
  const tiers = opts.kind === 'Votre entreprise et vos clients';
  await checkPage(page, `${prefix}-habilitations`);
  await expectStep(page, 7, tiers ? 9 : 8);
  const title = `Votre inscription en tant qu'entreprise ${tiers ? 'tiers déclarante' : 'déclarante'}`;
  expect(await page.getByRole('heading', { level: 2, name: guideName(title) }).isVisible()).toBe(true);
  const table = page.getByRole('table', { name: 'Gestion des habilitations pour l’entreprise' });
  expect(await table.locator('thead th').allTextContents()).toEqual(['Entreprise', 'Déclarants', 'Déclarations', 'Déclarer', 'Payer']);
  for (const d of opts.keep) expect(await table.getByRole('checkbox', { name: `Déclarer ${d}` }).isChecked()).toBe(true);
  // « Tous » follows its column, and ticks it
  const all = table.getByRole('checkbox', { name: /^Tous : déclarer/ });
  expect(await all.isChecked()).toBe(true);
  await tick(table.getByRole('checkbox', { name: `Déclarer ${opts.keep[0]}` }), false);
  expect(await all.isChecked()).toBe(false);
  await tick(all, true);
  for (const d of opts.keep) expect(await table.getByRole('checkbox', { name: `Déclarer ${d}` }).isChecked()).toBe(true);
  await press(page, 'Etape suivante');
  await page.waitForURL(tiers ? '**/inscription/declarants' : '**/inscription/confirmation');
}

/** Step 8 of a tiers-déclarant: « Inscription des déclarants », « Nouveau déclarant », « Ajout d'un déclarant ». */
export async function addDeclarants(
  page: Page,
  prefix: string,
  people: Pick<Person, 'nom' | 'prenom' | 'email' | 'telephone'>[],
): Promise<void> {
  await checkPage(page, `${prefix}-declarants`);
  await expectStep(page, 8, 9);
  expect(await page.getByRole('heading', { level: 2, name: guideName('Inscription des déclarants') }).isVisible()).toBe(true);
  for (const p of people) {
    await press(page, 'Nouveau déclarant');
    await page.waitForURL('**/inscription/declarants/nouveau');
    expect(await page.getByRole('heading', { level: 2, name: guideName("Ajout d'un déclarant") }).isVisible()).toBe(true);
    await checkPage(page, `${prefix}-ajout-declarant`);
    await field(page, 'Nom').fill(p.nom);
    await field(page, 'Prénom').fill(p.prenom);
    await field(page, 'Courriel').fill(p.email);
    await field(page, 'Confirmation courriel').fill(p.email);
    await field(page, 'Téléphone').fill(p.telephone);
    await press(page, 'Valider');
    await page.waitForURL('**/inscription/declarants');
    expect(await page.getByRole('cell', { name: p.email }).isVisible()).toBe(true);
  }
  await checkPage(page, `${prefix}-declarants-ajoutes`);
  await press(page, 'Étape suivante');
  await page.waitForURL('**/inscription/confirmation');
}

/** The last step: « Validation de l'inscription », « Valider l'inscription » creates the account. */
export async function validateInscription(page: Page, prefix: string, total = 8): Promise<void> {
  await checkPage(page, `${prefix}-confirmation`);
  await expectStep(page, total, total);
  expect(await page.getByRole('heading', { level: 2, name: guideName("Validation de l'inscription") }).isVisible()).toBe(true);
  await press(page, "Valider l'inscription");
  await page.waitForURL('**/inscription/validation');
}

/** The page after « Valider l'inscription », with the habilitations asked for, the same for everyone. */
export async function checkValidationPage(
  page: Page,
  p: Person,
  prefix: string,
  declarations: string[],
  opts: { tiers?: boolean } = {},
): Promise<void> {
  await checkPage(page, `${prefix}-validation`);
  await expect.poll(() => page.getByText('Votre demande d’inscription est enregistrée').first().isVisible()).toBe(true);
  // A tiers-déclarant is told how to add collaborators and clients.
  expect(await page.getByRole('heading', { name: 'Vos collaborateurs' }).isVisible()).toBe(Boolean(opts.tiers));
  expect(await page.getByText(p.email).first().isVisible()).toBe(true);
  const table = page.getByRole('table', { name: 'Les habilitations demandées' });
  const rows = await table.locator('tbody tr').allTextContents();
  expect(rows.length).toBe(declarations.length);
  for (const d of declarations) expect(rows.some((r) => r.includes(d) && r.includes(`${p.prenom} ${p.nom}`))).toBe(true);
}

/** From the profile to the page after « Valider l'inscription » (steps 6 to the last). */
export async function finishInscription(
  page: Page,
  p: Person,
  prefix: string,
  opts: { kind: Kind; keep: string[]; declarants?: Pick<Person, 'nom' | 'prenom' | 'email' | 'telephone'>[] },
): Promise<void> {
  const tiers = opts.kind === 'Votre entreprise et vos clients';
  await fillProfile(page, prefix, opts);
  await chooseRights(page, prefix, opts);
  if (tiers) await addDeclarants(page, prefix, opts.declarants ?? []);
  await validateInscription(page, prefix, tiers ? 9 : 8);
  await checkValidationPage(page, p, prefix, opts.keep, { tiers });
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
  opts: { kind?: Kind; keep?: string[]; declarants?: Pick<Person, 'nom' | 'prenom' | 'email' | 'telephone'>[] } = {},
): Promise<void> {
  const keep = opts.keep ?? ['SOLTéA - Employeurs'];
  await openInscription(page, prefix);
  await fillCoordonnees(page, p, prefix);
  await acceptCgu(page, prefix);
  await confirmIdentification(page, p, prefix);
  await choosePassword(page, p, prefix);
  await confirmRecap(page, p, prefix);
  await finishInscription(page, p, prefix, { kind: opts.kind ?? 'Votre entreprise', keep, declarants: opts.declarants });
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
  await finishInscription(page, p, prefix, { kind: 'Votre entreprise', keep });
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

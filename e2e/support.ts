/**
 * Browser journeys: the real application (createApp on a fresh database, the demo registry, a local
 * SMTP server that captures every mail) listening on a random local port, driven by Debian's
 * Chromium through playwright-core. Every page a journey visits goes through `checkPage`: axe
 * (WCAG 2.1 A/AA), one h1, lang="fr", no script error, and a full-page screenshot.
 *
 * Browse http://localhost:<port>: the session cookie is `__Host-sid` (Secure), which Chromium accepts
 * on localhost over plain HTTP but not on 127.0.0.1.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp, type RunningApp } from '../src/app.js';
import { ManualClock } from '../src/infra/clock.js';
import { loadConfig } from '../src/infra/config.js';
import { generateDemoRegistry } from '../src/demo/registry.js';
import { importRegistryRows } from '../src/modules/entreprises/import-registry.js';
import { freshDatabase, startSmtp, type ReceivedMail } from '../test/harness.js';

export { DEMO_COMPANIES } from '../src/demo/registry.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = join(HERE, 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface AxeSummary {
  page: string;
  url: string;
  violations: number;
  passes: number;
  incomplete: number;
  /** rules axe could not decide (to review by hand) */
  incompleteRules: string[];
}

export interface Journey {
  /** http://localhost:<port> */
  baseUrl: string;
  app: RunningApp;
  clock: ManualClock;
  browser: Browser;
  mails: ReceivedMail[];
  /** axe results of every page checked in this journey */
  axe: AxeSummary[];
  /** A new person: a fresh browser context (own cookies) and a page in it. */
  newPerson(): Promise<Page>;
  /** Waits until a mail matching `to` (and `subject`) has arrived; each mail is returned once. */
  waitForMail(match: { to: string; subject?: string | RegExp }, timeoutMs?: number): Promise<ReceivedMail>;
  /** The link of `path` in a mail, as an absolute URL on this server. */
  linkIn(mail: ReceivedMail, path: string): string;
  /** Waits for the mail and returns its link to `path`. */
  mailLink(match: { to: string; subject?: string | RegExp }, path: string): Promise<string>;
  stop(): Promise<void>;
}

const journeys = new WeakMap<Page, { journey: string; counter: { n: number }; errors: string[]; axe: AxeSummary[] }>();

/**
 * Starts the application, the SMTP capture and Chromium for one journey file. `name` names the
 * screenshot folder (e2e/screenshots/<name>/), emptied first.
 */
export async function startJourney(name: string, opts: { registryCount?: number } = {}): Promise<Journey> {
  const mails: ReceivedMail[] = [];
  const smtp = await startSmtp(mails);
  const { database, drop } = await freshDatabase();
  const clock = new ManualClock(new Date());
  const config = loadConfig({
    NODE_ENV: 'test',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SESSION_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
    PORT: '0',
    // the manual clock stands still: no sending budget per second of it
    MAIL_RATE_PER_SECOND: '0',
  });
  const app = await createApp(config, { clock, database });
  await importRegistryRows(database.db, generateDemoRegistry({ count: opts.registryCount ?? 20, seed: 1 }), { now: clock.now() });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  const baseUrl = `http://localhost:${address.port}`;

  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (e) {
    await app.close();
    await drop();
    await smtp.close();
    throw new Error(
      `Chromium ne démarre pas (${executablePath}) : installez-le (apt-get install chromium) ou indiquez CHROMIUM_PATH.\n${(e as Error).message}`,
    );
  }
  const contexts: BrowserContext[] = [];
  const dir = join(SCREENSHOT_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const counter = { n: 0 };
  const axe: AxeSummary[] = [];
  const taken = new Set<ReceivedMail>();

  const matches = (m: ReceivedMail, match: { to: string; subject?: string | RegExp }) =>
    m.to.split(',').includes(match.to) &&
    (match.subject === undefined || (typeof match.subject === 'string' ? m.subject === match.subject : match.subject.test(m.subject)));

  const journey: Journey = {
    baseUrl,
    app,
    clock,
    browser,
    mails,
    axe,
    async newPerson() {
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`erreur de script : ${e.message}`));
      page.on('console', (m) => {
        // A 4xx answer (a form sent back with its errors, an unknown SIRET looked up) is expected.
        if (m.type() === 'error' && !/the server responded with a status of 4\d\d/.test(m.text())) errors.push(`console : ${m.text()}`);
      });
      journeys.set(page, { journey: name, counter, errors, axe });
      return page;
    },
    async waitForMail(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await app.ctx.mail.flush();
        const found = mails.find((m) => !taken.has(m) && matches(m, match));
        if (found) {
          taken.add(found);
          return found;
        }
        if (Date.now() > deadline) {
          const seen = mails.map((m) => `  - à ${m.to} : « ${m.subject} »`).join('\n') || '  (aucun)';
          throw new Error(
            `aucun courriel pour ${match.to}${match.subject ? ` (« ${String(match.subject)} »)` : ''} après ${timeoutMs} ms. Reçus :\n${seen}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    linkIn(mail, path) {
      const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const m = new RegExp(`https?://[^\\s/]+${escaped}[^\\s]*`).exec(mail.text);
      if (!m) throw new Error(`pas de lien ${path} dans le courriel « ${mail.subject} » :\n${mail.text}`);
      // The app runs with PORT=0 and no PUBLIC_URL: keep the path and query, on this server.
      const url = new URL(m[0]);
      return `${baseUrl}${url.pathname}${url.search}`;
    },
    async mailLink(match, path) {
      return journey.linkIn(await journey.waitForMail(match), path);
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await app.close();
      await drop();
      await smtp.close();
      if (axe.length) {
        const total = axe.reduce((s, a) => ({ v: s.v + a.violations, p: s.p + a.passes, i: s.i + a.incomplete }), { v: 0, p: 0, i: 0 });
        const firstPage = new Map<string, string>();
        for (const a of axe) for (const r of a.incompleteRules) if (!firstPage.has(r)) firstPage.set(r, a.page);
        const review = [...firstPage].map(([rule, page]) => `${rule}, dès « ${page} »`).join(' ; ') || 'aucune';
        console.log(
          `[axe] ${name} : ${axe.length} pages, ${total.v} violations, ${total.p} règles respectées, ${total.i} à vérifier à la main (${review})`,
        );
      }
    },
  };
  return journey;
}

function describeViolations(results: Awaited<ReturnType<AxeBuilder['analyze']>>): string {
  return results.violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `      ${n.target.join(' ')}\n        ${n.html.slice(0, 200)}\n        ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
        .join('\n');
      return `  - [${v.impact ?? '?'}] ${v.id} : ${v.help} (${v.nodes.length} élément(s))\n${nodes}`;
    })
    .join('\n');
}

/** Runs axe (WCAG 2.0/2.1 A and AA) on the page; throws with a readable list of the violations. */
export async function checkA11y(page: Page, name: string): Promise<AxeSummary> {
  // Legacy mode: axe.run in the page itself. The pages have no frames, so the default (a partial run per
  // frame, then a blank page opened to merge them) only costs time: ~1 s a page instead of ~0.3 s.
  // resultTypes: only the violations are listed in full (passes and the rest keep one node each).
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .setLegacyMode()
    .options({ resultTypes: ['violations'] })
    .analyze();
  const summary: AxeSummary = {
    page: name,
    url: page.url(),
    violations: results.violations.length,
    passes: results.passes.length,
    incomplete: results.incomplete.length,
    incompleteRules: results.incomplete.map((r) => r.id),
  };
  journeys.get(page)?.axe.push(summary);
  if (results.violations.length) {
    throw new Error(
      `Accessibilité : ${results.violations.length} violation(s) sur « ${name} » (${page.url()}) :\n${describeViolations(results)}`,
    );
  }
  return summary;
}

/** A full-page PNG in e2e/screenshots/<journey>/NN-name.png. */
export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  const info = journeys.get(page);
  const n = info ? ++info.counter.n : 0;
  const file = join(
    SCREENSHOT_DIR,
    info?.journey ?? '',
    `${String(n).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`,
  );
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
  return file;
}

/** The page structure every page must have: lang="fr", one h1, a title, unique ids, a style sheet. */
export async function checkStructure(page: Page, name: string): Promise<void> {
  const s = await page.evaluate(() => ({
    frames: document.querySelectorAll('iframe, frame').length,
    lang: document.documentElement.lang,
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent?.trim() ?? ''),
    title: document.title,
    duplicateIds: [...document.querySelectorAll('[id]')].map((e) => e.id).filter((id, i, all) => all.indexOf(id) !== i),
    stylesheets: [...document.styleSheets].filter((sh) => {
      try {
        return sh.cssRules.length > 0;
      } catch {
        return false;
      }
    }).length,
  }));
  const problems: string[] = [];
  if (s.frames) problems.push('la page contient des cadres : checkA11y doit quitter le mode « legacy » d’axe pour les analyser');
  if (s.lang !== 'fr') problems.push(`lang="${s.lang}" au lieu de "fr"`);
  if (s.h1.length !== 1) problems.push(`${s.h1.length} titres h1 (${s.h1.map((t) => `« ${t} »`).join(', ')}) au lieu d’un seul`);
  if (!s.title.trim()) problems.push('pas de titre de page');
  if (s.duplicateIds.length)
    problems.push(`identifiants en double (un label ne désigne alors que le premier champ) : ${[...new Set(s.duplicateIds)].join(', ')}`);
  if (s.stylesheets === 0) problems.push('aucune feuille de style chargée');
  const errors = journeys.get(page)?.errors.splice(0) ?? [];
  problems.push(...errors);
  if (problems.length) throw new Error(`Page « ${name} » (${page.url()}) :\n  - ${problems.join('\n  - ')}`);
}

/**
 * Everything checked on each page visited: a screenshot (of the whole page, or of the viewport for
 * an open modal), the structure, and axe.
 */
export async function checkPage(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const t0 = performance.now();
  await page.waitForLoadState('load');
  const file = await shot(page, name, opts);
  const t1 = performance.now();
  await checkStructure(page, name);
  try {
    await checkA11y(page, name);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n  (capture : ${file})`);
  }
  if (process.env.E2E_TIMING)
    console.log(`[temps] ${name} : capture ${Math.round(t1 - t0)} ms, axe ${Math.round(performance.now() - t1)} ms`);
}

/** Resolves once `locator`'s field group shows the valid state set by the client script. */
export async function waitValid(page: Page, fieldId: string, timeoutMs = 5_000): Promise<void> {
  await page.waitForFunction(
    (id) => document.getElementById(id)?.closest('.fr-input-group')?.classList.contains('fr-input-group--valid') ?? false,
    fieldId,
    { timeout: timeoutMs },
  );
}

/** The common password and secret question/answer of the journeys. */
export const SECRET = {
  question: 'Quel est le nom de mon premier chien ?',
  answer: 'Brioche du fournil',
};

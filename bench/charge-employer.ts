/**
 * The virtual employers of the closing-day rush (bench/charge.ts), run in the load-generator process.
 *
 * Each employer connects from its own loopback address (127.0.x.y) over its own keep-alive connection
 * and, until the end of the phase, makes visits: « Je me connecte » (the page, then the form sent as
 * JSON with the x-csrf-token header), a few rounds, « Se déconnecter ». A round is what a person does
 * on the closing day, with think time between the steps:
 *
 *   synthèse    GET the Synthèse page (HTML): the session's CSRF token, the version of the choices,
 *               the lines; with MAX_LINES lines or more, « Supprimer » one of them first (a write)
 *   recherche   GET « Recherche établissement » (HTML) in a département of the liste régionale
 *   cibles      GET « Attribuer » for one of the establishments found (HTML): its targets
 *   attribuer   POST « Enregistrer mes choix » for one target, 1 to 9 %, as JSON with the version read
 *   valider     POST « Enregistrer vos attributions » (all lines validated) with the version
 *
 * Pages are read as a browser reads them (the rendering counts); writes are sent as JSON, which the
 * same routes and the same use case (`changeChoices`) answer with the Synthèse and its version, so that
 * every acknowledged write is known exactly: the last one of each employer is compared with the
 * database at the end. A write that got no answer (connection lost, 502) is « in doubt »: it may have
 * been applied. A 409 (the version moved: an in-doubt write was applied) sends the person back to the
 * Synthèse, as the page would.
 */
import { VirtualClient, type Response } from './http-client.js';
import type { ChargeEmployerResult, ChargeJob, ChargeRecord, ChargeResult, Triplet } from './protocol.js';

export const CHARGE_ACTIONS = [
  'page connexion',
  'connexion',
  'synthèse',
  'recherche',
  'cibles',
  'attribuer',
  'supprimer',
  'valider',
  'déconnexion',
] as const;
type Action = (typeof CHARGE_ACTIONS)[number];

const CSRF_META = /name="csrf-token" content="([^"]+)"/;
const VERSION_FIELD = /name="version" value="(\d+)"/g;
const LINE_DELETE = /\/attributions\/(\d+)\/supprimer"/g;
const TARGET = /name="cible" value="([ef]\d+)"/g;
/** départements with many establishments in the demo referential */
const LIEUX = ['75', '69', '59', '44', '13', '33', '31', '67', '35', '34', '76', '92'];
/** lines kept at most (each 1 to 9 %: the total stays under 100 % and under the rules' limits) */
const MAX_LINES = 5;

/** The loopback address employer i connects from: 127.0.1.1, 127.0.1.2, … (never 127.0.0.1, HAProxy's). */
export const employerAddress = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

/** mulberry32: a small seeded PRNG, so that each phase of a run makes the same choices */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SessionLost extends Error {}
class PhaseOver extends Error {}

interface Employer {
  index: number;
  u: Triplet;
  client: VirtualClient;
  csrf: string;
  version: number | null;
  rnd: () => number;
  result: ChargeEmployerResult;
}

interface Run {
  job: ChargeJob;
  deadline: number;
  records: ChargeRecord[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const pick = <T>(e: Employer, xs: readonly T[]): T => xs[Math.floor(e.rnd() * xs.length)]!;
const unique = (re: RegExp, s: string) => [...new Set([...s.matchAll(re)].map((m) => m[1]!))];

async function think(run: Run, e: Employer) {
  const ms = run.job.thinkMs * (0.5 + e.rnd());
  await sleep(Math.min(ms, run.deadline - Date.now()));
  if (Date.now() >= run.deadline) throw new PhaseOver();
}

/** One request, recorded: null when no answer came (connection refused or reset, timeout). */
async function call(run: Run, e: Employer, action: Action, method: string, path: string, headers: Record<string, string>, body?: string) {
  if (Date.now() >= run.deadline) throw new PhaseOver();
  const start = Date.now();
  try {
    const r = await e.client.request(method, path, { ...headers, cookie: e.client.cookieHeader() }, body);
    e.client.storeCookies(r.headers['set-cookie']);
    const server = r.headers['x-charge-server'];
    run.records.push([action, start, Date.now(), r.status, typeof server === 'string' ? server : '', '', e.index]);
    return r;
  } catch (err) {
    run.records.push([action, start, Date.now(), 0, '', err instanceof Error ? err.message : String(err), e.index]);
    return null;
  }
}

const signedOut = (r: Response) => r.status === 401 || (r.status === 303 && String(r.headers.location ?? '').startsWith('/connexion'));

/** A page as a browser loads it; its CSRF token is kept. Null on any failure. */
async function page(run: Run, e: Employer, action: Action, path: string): Promise<string | null> {
  const r = await call(run, e, action, 'GET', path, { accept: 'text/html' });
  if (!r) return null;
  if (signedOut(r)) {
    e.result.sessionLost++;
    throw new SessionLost();
  }
  if (r.status !== 200) return null;
  const csrf = CSRF_META.exec(r.body)?.[1];
  if (csrf) e.csrf = csrf;
  return r.body;
}

interface SyntheseJson {
  version: number;
  attributions: { etablissementId: number; formationId: number | null; pointsDeBase: number; statut: string }[];
}

/** A write as JSON; a 200 is an acknowledged write, recorded as the employer's last. */
async function write(run: Run, e: Employer, action: Action, path: string, body: Record<string, unknown>): Promise<boolean> {
  const headers = { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': e.csrf };
  const r = await call(run, e, action, 'POST', path, headers, JSON.stringify(body));
  if (!r || r.status >= 500) {
    // no answer from the application: the write may have been applied or not
    e.result.inDoubt = true;
    return false;
  }
  if (r.status === 200) {
    const s = JSON.parse(r.body) as SyntheseJson;
    const lines = s.attributions.map((l) => `${l.etablissementId}:${l.formationId ?? ''}:${l.pointsDeBase}:${l.statut}`).sort();
    e.result.lastAck = { version: s.version, lines, at: Date.now() };
    e.result.inDoubt = false;
    e.version = s.version;
    return true;
  }
  if (signedOut(r)) {
    e.result.sessionLost++;
    throw new SessionLost();
  }
  if (r.status === 409) e.result.conflicts++;
  else e.result.refusals++;
  return false;
}

/** The Synthèse page: its version (checked against the last acknowledged write) and its lines. */
async function readSynthese(run: Run, e: Employer, base: string): Promise<string[] | null> {
  const html = await page(run, e, 'synthèse', base);
  if (html === null) return null;
  const versions = [...html.matchAll(VERSION_FIELD)].map((m) => Number(m[1]));
  if (versions.length) {
    e.version = Math.max(...versions);
    if (e.result.lastAck && e.version < e.result.lastAck.version) e.result.staleReads++;
  }
  return unique(LINE_DELETE, html);
}

/** One round: Synthèse, (Supprimer), Recherche, Attribuer, Enregistrer mes choix, Enregistrer vos attributions. */
async function round(run: Run, e: Employer) {
  const base = `/soltea/employeur/${e.u.siret}`;
  const lines = await readSynthese(run, e, base);
  if (lines === null) return;
  await think(run, e);
  if (lines.length >= MAX_LINES) {
    if (!(await write(run, e, 'supprimer', `${base}/attributions/${pick(e, lines)}/supprimer`, { version: e.version }))) return;
    await think(run, e);
  }
  const results = await page(run, e, 'recherche', `${base}/recherche?lieu=${pick(e, LIEUX)}&liste=regionale`);
  const etabs = results === null ? [] : unique(new RegExp(`${base}/attribuer/(\\d{14})"`, 'g'), results);
  if (etabs.length === 0) return;
  await think(run, e);
  const etab = pick(e, etabs);
  const targets = await page(run, e, 'cibles', `${base}/attribuer/${etab}`);
  const cibles = targets === null ? [] : unique(TARGET, targets);
  if (cibles.length === 0) return;
  await think(run, e);
  const cible = pick(e, cibles);
  const pct = (100 + Math.floor(e.rnd() * 800)) / 100;
  const choice = { version: e.version, cible: [cible], [`pct_${cible}`]: pct.toFixed(2).replace('.', ',') };
  if (!(await write(run, e, 'attribuer', `${base}/attribuer/${etab}`, choice))) return;
  await think(run, e);
  await write(run, e, 'valider', `${base}/enregistrer`, { version: e.version });
  await think(run, e);
}

/** « Je me connecte »: the page (anonymous CSRF token), then the form as JSON. */
async function logIn(run: Run, e: Employer): Promise<boolean> {
  e.client.cookies.clear();
  const html = await page(run, e, 'page connexion', '/connexion');
  if (html === null) return false;
  const headers = { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': e.csrf };
  const r = await call(run, e, 'connexion', 'POST', '/connexion', headers, JSON.stringify({ ...e.u, password: run.job.password }));
  return r !== null && r.status === 200 && e.client.cookies.has('__Host-sid');
}

async function visit(run: Run, e: Employer) {
  if (!(await logIn(run, e))) return think(run, e);
  try {
    for (let k = 0; k < run.job.roundsPerVisit; k++) await round(run, e);
    const headers = { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': e.csrf };
    await call(run, e, 'déconnexion', 'POST', '/deconnexion', headers, '{}');
  } catch (err) {
    if (!(err instanceof SessionLost)) throw err;
  }
  await think(run, e);
}

export async function runChargeJob(job: ChargeJob): Promise<ChargeResult> {
  const startedAt = Date.now();
  const run: Run = { job, deadline: startedAt + job.seconds * 1000, records: [] };
  const cpu0 = process.cpuUsage();
  const employers: Employer[] = job.employers.map((u, i) => ({
    index: i,
    u,
    client: new VirtualClient(new URL(job.baseUrl), employerAddress(i)),
    csrf: '',
    version: null,
    rnd: prng(job.seed * 100_003 + i),
    result: { siret: u.siret, lastAck: null, inDoubt: false, staleReads: 0, sessionLost: 0, conflicts: 0, refusals: 0 },
  }));
  await Promise.all(
    employers.map(async (e, i) => {
      await sleep((i * job.rampMs) / employers.length);
      try {
        while (Date.now() < run.deadline) await visit(run, e);
      } catch (err) {
        if (!(err instanceof PhaseOver)) throw err;
      } finally {
        e.client.close();
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return {
    records: run.records,
    employers: employers.map((e) => e.result),
    startedAt,
    endedAt: Date.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/**
 * « Coordonnées bancaires » of an establishment (docs/regles.md#coordonnees-bancaires; the code that
 * protects their entry is code-bancaire.ts):
 *
 * - `loadBankView`: the current version (IBAN masked), the history and the state of the latest code;
 * - `submitBankDetails`: IBAN / BIC / titulaire are checked first by the contract (a bad field changes
 *   nothing and costs no attempt), then the code, under a row lock (two submissions of one code: the
 *   second finds it used). A wrong code counts an attempt; the 5th blocks the code. A right code is
 *   spent and the new version becomes the current one (statut « à vérifier »), the previous one gets
 *   `remplacee_le`;
 * - `setBankDetailsStatus`: the operator's verdict on the current version (vérifiée / rejetée + motif).
 * Every step is audited and told to the administrators (mail for changes and verdicts), in the
 * transaction of the change. The IBAN is never written in clear in an audit row, a notification or
 * a mail: only its country and last four characters.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import {
  BANK_CODE_MAX_ATTEMPTS,
  BANK_CODE_RATE_WINDOW_SECONDS,
  BANK_STATUS_LABELS,
  ibanLast4,
  isBankStatus,
  maskIban,
  type BankDetails,
  type BankStatus,
} from '../../domain/coordonnees-bancaires.js';
import { formatSiret } from '../../domain/identifiers.js';
import { audit } from '../../infra/audit.js';
import { verifySecret } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { codesBancaires, coordonneesBancaires, coordonneesBancairesStatuts, type users } from '../../infra/db/schema.js';
import { formatDateTime } from '../../shared/format.js';
import { failure, FORM_ERRORS, type Failure, type Outcome, type ProblemKind } from '../../shared/problem.js';
import { publicUrl } from '../../shared/urls.js';
import { notify } from '../notifications/notify.js';
import { establishmentAdministrators, owningEspaceId, type Administrator, type Establishment } from './access.js';
import { bankPath, usableCode, whyNoCode } from './code-bancaire.js';

type User = typeof users.$inferSelect;

// ── reading ───────────────────────────────────────────────────────────────────────────────────────

export interface BankVersionView {
  id: number;
  ibanMasque: string;
  ibanFin: string;
  pays: string;
  bic: string;
  titulaire: string;
  statut: BankStatus;
  statutLibelle: string;
  motifRejet: string | null;
  createdAt: Date;
  createdBy: string | null;
  verifieeLe: Date | null;
  remplaceeLe: Date | null;
}

export interface CodeStateView {
  createdAt: Date;
  expiresAt: Date;
  requestedBy: string | null;
  state: 'actif' | 'utilise' | 'expire' | 'bloque';
  attemptsLeft: number;
  /** by mail to the company's administrators, or by post to the establishment */
  channel: 'courriel' | 'courrier';
}

export interface BankView {
  current: BankVersionView | null;
  history: BankVersionView[];
  code: CodeStateView | null;
  /** when « Demander un code » is possible again (rate limit), or null */
  nextRequestAt: Date | null;
}

const personName = sql<string | null>`(select u.prenom || ' ' || u.nom from users u where u.id = ${coordonneesBancaires.createdBy})`;

export async function loadBankView(ctx: AppContext, siret: string): Promise<BankView> {
  const now = ctx.clock.now();
  const rows = await ctx.db
    .select({ row: coordonneesBancaires, by: personName })
    .from(coordonneesBancaires)
    .where(eq(coordonneesBancaires.siret, siret))
    .orderBy(desc(coordonneesBancaires.createdAt), desc(coordonneesBancaires.id))
    .limit(20);
  const history = rows.map(({ row, by }) => versionView(row, by));
  const [code] = await ctx.db
    .select({
      c: codesBancaires,
      by: sql<string | null>`(select u.prenom || ' ' || u.nom from users u where u.id = ${codesBancaires.requestedBy})`,
      byPost: sql<boolean>`exists (select 1 from courriers_codes l where l.code_id = ${codesBancaires.id})`,
    })
    .from(codesBancaires)
    .where(eq(codesBancaires.siret, siret))
    .orderBy(desc(codesBancaires.createdAt))
    .limit(1);
  let codeView: CodeStateView | null = null;
  let nextRequestAt: Date | null = null;
  if (code) {
    const c = code.c;
    const state = c.usedAt ? 'utilise' : c.attempts >= BANK_CODE_MAX_ATTEMPTS ? 'bloque' : c.expiresAt <= now ? 'expire' : 'actif';
    codeView = {
      createdAt: c.createdAt,
      expiresAt: c.expiresAt,
      requestedBy: code.by,
      state,
      attemptsLeft: Math.max(0, BANK_CODE_MAX_ATTEMPTS - c.attempts),
      channel: code.byPost ? 'courrier' : 'courriel',
    };
    const next = new Date(c.createdAt.getTime() + BANK_CODE_RATE_WINDOW_SECONDS * 1000);
    if (next > now) nextRequestAt = next;
  }
  return { current: history.find((h) => !h.remplaceeLe) ?? null, history, code: codeView, nextRequestAt };
}

function versionView(row: typeof coordonneesBancaires.$inferSelect, by: string | null): BankVersionView {
  const statut: BankStatus = isBankStatus(row.statut) ? row.statut : 'a_verifier';
  return {
    id: row.id,
    ibanMasque: maskIban(row.iban),
    ibanFin: ibanLast4(row.iban),
    pays: row.iban.slice(0, 2),
    bic: row.bic,
    titulaire: row.titulaire,
    statut,
    statutLibelle: BANK_STATUS_LABELS[statut],
    motifRejet: row.motifRejet,
    createdAt: row.createdAt,
    createdBy: by,
    verifieeLe: row.verifieeLe,
    remplaceeLe: row.remplaceeLe,
  };
}

// ── entering / changing the details ─────────────────────────────────────────────────────────────

export type SubmitResult = Outcome<{ id: number }>;

/** What every step of one entry needs. */
interface Entry {
  ctx: AppContext;
  tx: Tx;
  user: User;
  etab: Establishment;
  admins: Administrator[];
  meta: { ip?: string };
  now: Date;
}

/** A refusal of the code, shown beside the code field. */
const codeRefused = (kind: ProblemKind, code: string, message: string): Failure =>
  failure(kind, code, FORM_ERRORS, { errors: { code: message } });

export async function submitBankDetails(
  ctx: AppContext,
  user: User,
  etab: Establishment,
  d: BankDetails,
  meta: { ip?: string },
): Promise<SubmitResult> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx: Tx) => {
    const code = await usableCode(tx, etab.siret, now);
    if (!code) {
      const why = await whyNoCode(tx, etab.siret, now);
      return codeRefused('conflict', why.code, why.message);
    }
    const entry: Entry = { ctx, tx, user, etab, admins: await establishmentAdministrators(tx, etab.siret), meta, now };
    if (!(await verifySecret(code.codeHash, d.code))) return wrongCode(entry, code);
    await tx.update(codesBancaires).set({ usedAt: now }).where(eq(codesBancaires.id, code.id));
    return { ok: true as const, id: await replaceBankDetails(entry, d) };
  });
}

/** A wrong code counts an attempt; the last one blocks it. Audited and told to the administrators. */
async function wrongCode(e: Entry, code: { id: string; attempts: number }): Promise<Failure> {
  const attempts = code.attempts + 1;
  await e.tx.update(codesBancaires).set({ attempts }).where(eq(codesBancaires.id, code.id));
  const left = BANK_CODE_MAX_ATTEMPTS - attempts;
  const burnt = left <= 0;
  const who = `${e.user.prenom} ${e.user.nom}`;
  await audit(e.tx, e.ctx.clock, {
    action: burnt ? 'bank_code.burnt' : 'bank_code.failed',
    actorUserId: e.user.id,
    espaceId: e.user.espaceId,
    ip: e.meta.ip ?? null,
    details: { siret: e.etab.siret, attempts },
  });
  await notify(
    e.tx,
    e.ctx,
    e.admins.map((a) => a.id),
    burnt
      ? `SOLTéA – ${e.etab.ref.nom} : le code des coordonnées bancaires est bloqué après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées (la dernière par ${who}). Les coordonnées n’ont pas changé ; demandez un nouveau code si nécessaire.`
      : `SOLTéA – ${e.etab.ref.nom} : ${who} a saisi un code erroné pour les coordonnées bancaires (${attempts} sur ${BANK_CODE_MAX_ATTEMPTS}).`,
    burnt ? { subject: 'SOLTéA : code des coordonnées bancaires bloqué' } : undefined,
  );
  return burnt
    ? codeRefused(
        'invalid',
        'code_bloque',
        `Le code est incorrect. Après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées, il est bloqué : demandez un nouveau code.`,
      )
    : codeRefused(
        'invalid',
        'code_incorrect',
        `Le code est incorrect. Il vous reste ${left} essai${left > 1 ? 's' : ''} avant qu’il ne soit bloqué.`,
      );
}

/** The new version becomes the current one (« à vérifier »); audited and told to the administrators. */
async function replaceBankDetails(e: Entry, d: BankDetails): Promise<number> {
  const [previous] = await e.tx
    .update(coordonneesBancaires)
    .set({ remplaceeLe: e.now })
    .where(and(eq(coordonneesBancaires.siret, e.etab.siret), isNull(coordonneesBancaires.remplaceeLe)))
    .returning({ id: coordonneesBancaires.id });
  const [row] = await e.tx
    .insert(coordonneesBancaires)
    .values({
      siret: e.etab.siret,
      iban: d.iban,
      bic: d.bic,
      titulaire: d.titulaire,
      statut: 'a_verifier',
      createdAt: e.now,
      createdBy: e.user.id,
    })
    .returning({ id: coordonneesBancaires.id });
  const id = row!.id;
  await audit(e.tx, e.ctx.clock, {
    action: 'bank_details.changed',
    actorUserId: e.user.id,
    espaceId: e.user.espaceId,
    ip: e.meta.ip ?? null,
    details: { siret: e.etab.siret, id, previousId: previous?.id ?? null, iban: maskIban(d.iban), bic: d.bic, titulaire: d.titulaire },
  });
  await notify(
    e.tx,
    e.ctx,
    e.admins.map((a) => a.id),
    `SOLTéA – ${e.etab.ref.nom} (SIRET ${formatSiret(e.etab.siret)}) : ${e.user.prenom} ${e.user.nom} a ${previous ? 'modifié' : 'saisi'} les coordonnées bancaires le ${formatDateTime(e.now)} : IBAN se terminant par ${ibanLast4(d.iban)}, BIC ${d.bic}, titulaire « ${d.titulaire} ». Elles sont à vérifier par l’opérateur avant tout virement. Si vous n’êtes pas à l’origine de ce changement, signalez-le sans attendre.`,
    { subject: 'SOLTéA : coordonnées bancaires modifiées' },
  );
  return id;
}

// ── the operator's verdict ──────────────────────────────────────────────────────────────────────

export type StatusResult = { ok: true; id: number; statut: BankStatus } | { ok: false; message: string };

/**
 * Sets the operator's verdict on the current bank details of `siret` (« vérifiée », or « rejetée »
 * with a motif), from the operator's space or the command line: `agentId` is the agent (the audit row's
 * actor), `agent` the name recorded in the status history. With `id`, the verdict applies only if
 * those details are still the current ones (the page showed them; the establishment may have changed
 * them since).
 */
export async function setBankDetailsStatus(
  ctx: AppContext,
  input: {
    siret: string;
    statut: string;
    motif?: string | null;
    operatorUserId?: string | null;
    agentId?: string | null;
    agent?: string | null;
    id?: number;
  },
): Promise<StatusResult> {
  const statut = input.statut;
  if (statut !== 'verifiee' && statut !== 'rejetee') return { ok: false, message: 'Le statut doit être « verifiee » ou « rejetee ».' };
  const motif = (input.motif ?? '').replace(/\s+/g, ' ').trim();
  if (statut === 'rejetee' && motif.length < 3)
    return { ok: false, message: 'Indiquez le motif du rejet : il est communiqué à l’établissement.' };
  if (motif.length > 500) return { ok: false, message: 'Le motif : 500 caractères au maximum.' };
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx: Tx) => {
    const [cur] = await tx
      .select()
      .from(coordonneesBancaires)
      .where(and(eq(coordonneesBancaires.siret, input.siret), isNull(coordonneesBancaires.remplaceeLe)))
      .for('update');
    if (!cur) return { ok: false, message: `Aucune coordonnée bancaire n’est enregistrée pour le SIRET ${formatSiret(input.siret)}.` };
    if (input.id !== undefined && cur.id !== input.id)
      return {
        ok: false,
        message: `Les coordonnées bancaires du SIRET ${formatSiret(input.siret)} ont été remplacées depuis l’affichage de la page : vérifiez les nouvelles.`,
      };
    await tx
      .update(coordonneesBancaires)
      .set({ statut, motifRejet: statut === 'rejetee' ? motif : null, verifieeLe: now, verifieePar: input.operatorUserId ?? null })
      .where(eq(coordonneesBancaires.id, cur.id));
    const agent = input.agent?.replace(/\s+/g, ' ').trim() || 'non renseigné';
    await tx.insert(coordonneesBancairesStatuts).values({
      coordonneesId: cur.id,
      siret: input.siret,
      statut,
      motif: statut === 'rejetee' ? motif : null,
      agent,
      operatorUserId: input.operatorUserId ?? null,
      at: now,
    });
    const espaceId = await owningEspaceId(tx, input.siret);
    await audit(tx, ctx.clock, {
      action: 'bank_details.status_set',
      actorUserId: input.operatorUserId ?? null,
      actorAgentId: input.agentId ?? null,
      espaceId,
      details: {
        siret: input.siret,
        id: cur.id,
        statut,
        previous: cur.statut,
        motif: statut === 'rejetee' ? motif : null,
        iban: maskIban(cur.iban),
        agent,
      },
    });
    if (espaceId) {
      const admins = await establishmentAdministrators(tx, input.siret);
      const text =
        statut === 'verifiee'
          ? `SOLTéA – SIRET ${formatSiret(input.siret)} : l’opérateur a vérifié les coordonnées bancaires (IBAN se terminant par ${ibanLast4(cur.iban)}). Les virements du solde de la taxe d’apprentissage seront faits sur ce compte.`
          : `SOLTéA – SIRET ${formatSiret(input.siret)} : l’opérateur a rejeté les coordonnées bancaires (IBAN se terminant par ${ibanLast4(cur.iban)}). Motif : ${motif}. Saisissez de nouvelles coordonnées avant la fin de la campagne, sans quoi l’établissement ne pourra pas être payé : ${publicUrl(ctx, bankPath(input.siret))}`;
      await notify(
        tx,
        ctx,
        admins.map((a) => a.id),
        text,
        { subject: statut === 'verifiee' ? 'SOLTéA : coordonnées bancaires vérifiées' : 'SOLTéA : coordonnées bancaires rejetées' },
      );
    }
    return { ok: true, id: cur.id, statut };
  });
}

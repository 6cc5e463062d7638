/**
 * « Coordonnées bancaires » (SOLTéA §4.3; research/soltea.md §1.4: in 2023 a code secret was sent to
 * each establishment and was required to enter its RIB; « demander un code » existed).
 *
 * - `requestBankCode`: a new code (bank-rules.ts: 8 symbols, 40 bits, CSPRNG) stored as an argon2id
 *   hash in `codes_bancaires`, valid 30 days, mailed to the administrators of the establishment's
 *   company; it replaces any earlier unused code. One request per establishment per 10 minutes.
 * - `submitBankDetails`: IBAN / BIC / titulaire checked first (a bad field changes nothing and costs
 *   no attempt), then the code, under a row lock (two submissions of one code: the second finds it
 *   used). A wrong code counts an attempt; the 5th burns the code. A right code is spent and the new
 *   version becomes the current one (statut « à vérifier »), the previous one gets `remplacee_le`.
 * - `setBankDetailsStatus`: the operator's verdict on the current version (vérifiée / rejetée + motif).
 * Every step is audited and told to the administrators (mail for changes and verdicts), in the
 * transaction of the change. The IBAN is never written in clear in an audit row, a notification or
 * a mail: only its country and last four characters.
 */
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { formatSiret } from '../../domain/identifiers.js';
import { audit } from '../../infra/audit.js';
import { hashSecret, verifySecret } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { codesBancaires, coordonneesBancaires, users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { consumeRate } from '../../infra/throttle.js';
import { publicUrl } from '../../shared/urls.js';
import { notify } from '../notifications/notify.js';
import { establishmentAdministrators, owningEspaceId, type Establishment } from './access.js';
import {
  BANK_CODE_MAX_ATTEMPTS,
  BANK_CODE_RATE_WINDOW_SECONDS,
  BANK_CODE_VALIDITY_DAYS,
  BANK_STATUS_LABELS,
  formatBankCode,
  ibanLast4,
  isBankStatus,
  maskIban,
  newBankCode,
  type BankDetails,
  type BankStatus,
} from './bank-rules.js';

type User = typeof users.$inferSelect;

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' });
export const formatDateTime = (d: Date) => dateTime.format(d).replace(' ', ' à ');
export const formatDate = (d: Date) => dateOnly.format(d);

const spacePath = (siret: string) => `/soltea/etablissement/${siret}/coordonnees-bancaires`;

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

// ── « Demander un code » ────────────────────────────────────────────────────────────────────────

export type CodeRequestResult =
  | { ok: true; expiresAt: Date; recipients: { nom: string; prenom: string }[] }
  | { ok: false; code: 'rate_limited'; message: string }
  | { ok: false; code: 'no_recipient'; message: string };

export async function requestBankCode(ctx: AppContext, user: User, etab: Establishment, meta: { ip?: string }): Promise<CodeRequestResult> {
  const now = ctx.clock.now();
  const code = newBankCode();
  const codeHash = await hashSecret(code);
  const expiresAt = new Date(now.getTime() + BANK_CODE_VALIDITY_DAYS * 86_400_000);
  return ctx.db.transaction(async (tx: Tx) => {
    const admins = await establishmentAdministrators(tx, etab.siret, user.espaceId);
    if (admins.length === 0)
      return {
        ok: false,
        code: 'no_recipient',
        message:
          'Aucun administrateur actif de l’établissement ne peut recevoir le code : un administrateur doit d’abord valider son adresse électronique.',
      };
    const allowed = await consumeRate(tx, `bank-code:${etab.siret}`, now, 1, BANK_CODE_RATE_WINDOW_SECONDS);
    if (!allowed) {
      const [last] = await tx
        .select({ createdAt: codesBancaires.createdAt })
        .from(codesBancaires)
        .where(eq(codesBancaires.siret, etab.siret))
        .orderBy(desc(codesBancaires.createdAt))
        .limit(1);
      const next = last
        ? new Date(last.createdAt.getTime() + BANK_CODE_RATE_WINDOW_SECONDS * 1000)
        : new Date(now.getTime() + BANK_CODE_RATE_WINDOW_SECONDS * 1000);
      return {
        ok: false,
        code: 'rate_limited',
        message: `Un code vient d’être envoyé pour cet établissement : consultez la messagerie de ses administrateurs. Vous pourrez en demander un nouveau à partir du ${formatDateTime(next)} (un code toutes les 10 minutes au plus).`,
      };
    }
    // The new code replaces any code not yet used.
    await tx
      .update(codesBancaires)
      .set({ expiresAt: now })
      .where(and(eq(codesBancaires.siret, etab.siret), isNull(codesBancaires.usedAt), gt(codesBancaires.expiresAt, now)));
    await tx.insert(codesBancaires).values({ siret: etab.siret, codeHash, requestedBy: user.id, createdAt: now, expiresAt, attempts: 0 });
    const who = `${user.prenom} ${user.nom}`;
    for (const a of admins)
      await queueMail(tx, ctx.clock, {
        to: a.email,
        subject: 'SOLTéA : code pour saisir les coordonnées bancaires',
        text:
          `Bonjour ${a.prenom} ${a.nom},\n\n` +
          `${who} a demandé un code pour saisir ou modifier les coordonnées bancaires de l’établissement ${etab.ref.nom} (SIRET ${formatSiret(etab.siret)}) sur SOLTéA.\n\n` +
          `Code : ${formatBankCode(code)}\n\n` +
          `Il est valable jusqu’au ${formatDateTime(expiresAt)} (${BANK_CODE_VALIDITY_DAYS} jours) et ne sert qu’une fois ; après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées il est bloqué. Il remplace tout code envoyé auparavant.\n` +
          `Saisissez-le avec l’IBAN, le BIC et le titulaire du compte : ${publicUrl(ctx, spacePath(etab.siret))}\n\n` +
          `Ne communiquez ce code qu’aux personnes chargées des coordonnées bancaires de l’établissement. Si personne ne l’a demandé, ne le transmettez pas et signalez-le.\n\nSOLTéA - net-entreprises`,
      });
    await notify(
      tx,
      ctx,
      admins.map((a) => a.id),
      `SOLTéA – ${etab.ref.nom} : ${who} a demandé un code pour les coordonnées bancaires ; il a été envoyé par courriel aux administrateurs (valable jusqu’au ${formatDate(expiresAt)}).`,
    );
    await audit(tx, ctx.clock, {
      action: 'bank_code.requested',
      actorUserId: user.id,
      espaceId: user.espaceId,
      ip: meta.ip ?? null,
      details: { siret: etab.siret, recipients: admins.length, expiresAt: expiresAt.toISOString() },
    });
    return { ok: true, expiresAt, recipients: admins.map((a) => ({ nom: a.nom, prenom: a.prenom })) };
  });
}

// ── entering / changing the details ─────────────────────────────────────────────────────────────

export type SubmitResult = { ok: true; id: number } | { ok: false; field: 'code'; message: string; status: 400 | 409 };

export async function submitBankDetails(
  ctx: AppContext,
  user: User,
  etab: Establishment,
  d: BankDetails,
  meta: { ip?: string },
): Promise<SubmitResult> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx: Tx) => {
    const [c] = await tx
      .select()
      .from(codesBancaires)
      .where(
        and(
          eq(codesBancaires.siret, etab.siret),
          isNull(codesBancaires.usedAt),
          gt(codesBancaires.expiresAt, now),
          lt(codesBancaires.attempts, BANK_CODE_MAX_ATTEMPTS),
        ),
      )
      .orderBy(desc(codesBancaires.createdAt))
      .limit(1)
      .for('update');
    if (!c) return { ok: false, field: 'code', status: 409, message: await whyNoCode(tx, etab.siret, now) };
    const admins = await establishmentAdministrators(tx, etab.siret, user.espaceId);
    const who = `${user.prenom} ${user.nom}`;
    if (!(await verifySecret(c.codeHash, d.code))) {
      const attempts = c.attempts + 1;
      await tx.update(codesBancaires).set({ attempts }).where(eq(codesBancaires.id, c.id));
      const left = BANK_CODE_MAX_ATTEMPTS - attempts;
      const burnt = left <= 0;
      await audit(tx, ctx.clock, {
        action: burnt ? 'bank_code.burnt' : 'bank_code.failed',
        actorUserId: user.id,
        espaceId: user.espaceId,
        ip: meta.ip ?? null,
        details: { siret: etab.siret, attempts },
      });
      await notify(
        tx,
        ctx,
        admins.map((a) => a.id),
        burnt
          ? `SOLTéA – ${etab.ref.nom} : le code des coordonnées bancaires est bloqué après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées (la dernière par ${who}). Les coordonnées n’ont pas changé ; demandez un nouveau code si nécessaire.`
          : `SOLTéA – ${etab.ref.nom} : ${who} a saisi un code erroné pour les coordonnées bancaires (${attempts} sur ${BANK_CODE_MAX_ATTEMPTS}).`,
        burnt ? { subject: 'SOLTéA : code des coordonnées bancaires bloqué' } : undefined,
      );
      return {
        ok: false,
        field: 'code',
        status: 400,
        message: burnt
          ? `Le code est incorrect. Après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées, il est bloqué : demandez un nouveau code.`
          : `Le code est incorrect. Il vous reste ${left} essai${left > 1 ? 's' : ''} avant qu’il ne soit bloqué.`,
      };
    }
    await tx.update(codesBancaires).set({ usedAt: now }).where(eq(codesBancaires.id, c.id));
    const [previous] = await tx
      .update(coordonneesBancaires)
      .set({ remplaceeLe: now })
      .where(and(eq(coordonneesBancaires.siret, etab.siret), isNull(coordonneesBancaires.remplaceeLe)))
      .returning({ id: coordonneesBancaires.id });
    const [row] = await tx
      .insert(coordonneesBancaires)
      .values({
        siret: etab.siret,
        iban: d.iban,
        bic: d.bic,
        titulaire: d.titulaire,
        statut: 'a_verifier',
        createdAt: now,
        createdBy: user.id,
      })
      .returning({ id: coordonneesBancaires.id });
    await audit(tx, ctx.clock, {
      action: 'bank_details.changed',
      actorUserId: user.id,
      espaceId: user.espaceId,
      ip: meta.ip ?? null,
      details: {
        siret: etab.siret,
        id: row!.id,
        previousId: previous?.id ?? null,
        iban: maskIban(d.iban),
        bic: d.bic,
        titulaire: d.titulaire,
      },
    });
    await notify(
      tx,
      ctx,
      admins.map((a) => a.id),
      `SOLTéA – ${etab.ref.nom} (SIRET ${formatSiret(etab.siret)}) : ${who} a ${previous ? 'modifié' : 'saisi'} les coordonnées bancaires le ${formatDateTime(now)} : IBAN se terminant par ${ibanLast4(d.iban)}, BIC ${d.bic}, titulaire « ${d.titulaire} ». Elles sont à vérifier par l’opérateur avant tout virement. Si vous n’êtes pas à l’origine de ce changement, signalez-le sans attendre.`,
      { subject: 'SOLTéA : coordonnées bancaires modifiées' },
    );
    return { ok: true, id: row!.id };
  });
}

/** Why no code can be used now, from the latest code of the establishment. */
async function whyNoCode(tx: Tx, siret: string, now: Date): Promise<string> {
  const [last] = await tx
    .select()
    .from(codesBancaires)
    .where(eq(codesBancaires.siret, siret))
    .orderBy(desc(codesBancaires.createdAt))
    .limit(1);
  if (!last) return 'Demandez d’abord un code : il sera envoyé par courriel aux administrateurs de l’établissement.';
  if (last.usedAt) return 'Ce code a déjà servi : chaque code ne permet qu’une saisie. Demandez un nouveau code.';
  if (last.attempts >= BANK_CODE_MAX_ATTEMPTS)
    return `Le code est bloqué après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées : demandez un nouveau code.`;
  if (last.expiresAt <= now) return `Le code a expiré (il est valable ${BANK_CODE_VALIDITY_DAYS} jours) : demandez un nouveau code.`;
  return 'Aucun code valide : demandez un nouveau code.';
}

// ── the operator's verdict ──────────────────────────────────────────────────────────────────────

export type StatusResult = { ok: true; id: number; statut: BankStatus } | { ok: false; message: string };

/**
 * Sets the operator's verdict on the current bank details of `siret` (« vérifiée », or « rejetée »
 * with a motif). Used by the CLI until the operator's back-office exists.
 */
export async function setBankDetailsStatus(
  ctx: AppContext,
  input: { siret: string; statut: string; motif?: string | null; operatorUserId?: string | null },
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
    await tx
      .update(coordonneesBancaires)
      .set({ statut, motifRejet: statut === 'rejetee' ? motif : null, verifieeLe: now, verifieePar: input.operatorUserId ?? null })
      .where(eq(coordonneesBancaires.id, cur.id));
    const espaceId = await owningEspaceId(tx, input.siret);
    await audit(tx, ctx.clock, {
      action: 'bank_details.status_set',
      actorUserId: input.operatorUserId ?? null,
      espaceId,
      details: {
        siret: input.siret,
        id: cur.id,
        statut,
        previous: cur.statut,
        motif: statut === 'rejetee' ? motif : null,
        iban: maskIban(cur.iban),
      },
    });
    if (espaceId) {
      const admins = await establishmentAdministrators(tx, input.siret, espaceId);
      const text =
        statut === 'verifiee'
          ? `SOLTéA – SIRET ${formatSiret(input.siret)} : l’opérateur a vérifié les coordonnées bancaires (IBAN se terminant par ${ibanLast4(cur.iban)}). Les virements du solde de la taxe d’apprentissage seront faits sur ce compte.`
          : `SOLTéA – SIRET ${formatSiret(input.siret)} : l’opérateur a rejeté les coordonnées bancaires (IBAN se terminant par ${ibanLast4(cur.iban)}). Motif : ${motif}. Saisissez de nouvelles coordonnées avant la fin de la campagne, sans quoi l’établissement ne pourra pas être payé : ${publicUrl(ctx, spacePath(input.siret))}`;
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

/**
 * The code that protects the entry of an establishment's bank details (docs/regles.md#coordonnees-bancaires):
 * « Demander un code » draws a new one (domain/coordonnees-bancaires.ts: 8 symbols, 40 bits, CSPRNG),
 * stores it as an argon2id hash in `codes_bancaires`, valid 30 days, and sends it to the administrators
 * of the SIRET's own company only — never to the requester's espace (a tiers-déclarant must not receive
 * its client's code). When that company has no administrator to mail, the code goes by post: the
 * operator's letter (registry address, code, date) waits in `courriers_codes` until it is printed
 * (`courriers-codes`), which erases the code from the row. A new request never cancels a pending code
 * (unused, unexpired, unblocked): it is refused while one is pending. One request per establishment per
 * 10 minutes. Otherwise the code is written nowhere but in those mails or that letter.
 */
import { and, desc, eq, gt, isNull, lt } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import {
  BANK_CODE_MAX_ATTEMPTS,
  BANK_CODE_RATE_WINDOW_SECONDS,
  BANK_CODE_VALIDITY_DAYS,
  formatBankCode,
  newBankCode,
} from '../../domain/coordonnees-bancaires.js';
import { formatSiret } from '../../domain/identifiers.js';
import { audit } from '../../infra/audit.js';
import { hashSecret } from '../../infra/crypto.js';
import type { Tx } from '../../infra/db/index.js';
import { codesBancaires, courriersCodes, etablissements, type users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { consumeRate, forgiveAttempt } from '../../infra/throttle.js';
import { formatDate, formatDateTime } from '../../shared/format.js';
import { failure, type Outcome } from '../../shared/problem.js';
import { publicUrl } from '../../shared/urls.js';
import { notify } from '../notifications/notify.js';
import { establishmentAdministrators, type Administrator, type Establishment } from './access.js';

type User = typeof users.$inferSelect;
type CodeRow = typeof codesBancaires.$inferSelect;

/** The page of the establishment's bank details (named in mails and notifications). */
export const bankPath = (siret: string) => `/soltea/etablissement/${siret}/coordonnees-bancaires`;

/** How the code travels: by mail to the company's administrators, or by post through the operator. */
export type CodeChannel = 'courriel' | 'courrier';

export type CodeRequestResult = Outcome<{ expiresAt: Date; channel: CodeChannel; recipients: { nom: string; prenom: string }[] }>;

export async function requestBankCode(ctx: AppContext, user: User, etab: Establishment, meta: { ip?: string }): Promise<CodeRequestResult> {
  const now = ctx.clock.now();
  const code = newBankCode();
  const codeHash = await hashSecret(code);
  const expiresAt = new Date(now.getTime() + BANK_CODE_VALIDITY_DAYS * 86_400_000);
  return ctx.db.transaction(async (tx: Tx) => {
    const rateKey = `bank-code:${etab.siret}`;
    if (!(await consumeRate(tx, rateKey, now, 1, BANK_CODE_RATE_WINDOW_SECONDS)))
      return failure(
        'too_many_requests',
        'code_deja_envoye',
        `Un code vient d’être envoyé pour cet établissement : consultez la messagerie de ses administrateurs. Vous pourrez en demander un nouveau à partir du ${formatDateTime(await nextRequestAt(tx, etab.siret, now))} (un code toutes les 10 minutes au plus).`,
      );
    const pending = await usableCode(tx, etab.siret, now);
    if (pending) {
      await forgiveAttempt(tx, rateKey); // nothing was sent: the refusal does not count
      return pendingRefusal(pending, await sentByPost(tx, pending.id));
    }
    const [row] = await tx
      .insert(codesBancaires)
      .values({ siret: etab.siret, codeHash, requestedBy: user.id, createdAt: now, expiresAt, attempts: 0 })
      .returning({ id: codesBancaires.id });
    const admins = await establishmentAdministrators(tx, etab.siret);
    const channel: CodeChannel = admins.length > 0 ? 'courriel' : 'courrier';
    if (channel === 'courriel') await sendCode(ctx, tx, { user, etab, admins, code, expiresAt });
    else await queueLetter(tx, { codeId: row!.id, etab, code, now, expiresAt, requestedBy: user.id });
    await audit(tx, ctx.clock, {
      action: 'bank_code.requested',
      actorUserId: user.id,
      espaceId: user.espaceId,
      ip: meta.ip ?? null,
      details: { siret: etab.siret, channel, recipients: admins.length, expiresAt: expiresAt.toISOString() },
    });
    return { ok: true as const, expiresAt, channel, recipients: admins.map((a) => ({ nom: a.nom, prenom: a.prenom })) };
  });
}

/** A code is pending: the new request is refused, saying where the pending one went and until when it is valid. */
function pendingRefusal(pending: CodeRow, byPost: boolean) {
  const where = byPost ? 'par courrier à l’adresse de l’établissement' : 'par courriel aux administrateurs de l’établissement';
  return failure(
    'conflict',
    'code_en_attente',
    `Un code a déjà été envoyé pour cet établissement le ${formatDateTime(pending.createdAt)}, ${where} ; il reste valable jusqu’au ${formatDateTime(pending.expiresAt)}. Utilisez-le : une nouvelle demande ne l’annule pas. Vous pourrez demander un autre code quand il aura servi, expiré ou été bloqué.`,
  );
}

/** When the establishment may ask for a code again: 10 minutes after the latest one. */
async function nextRequestAt(tx: Tx, siret: string, now: Date): Promise<Date> {
  const last = await latestCode(tx, siret);
  return new Date((last?.createdAt ?? now).getTime() + BANK_CODE_RATE_WINDOW_SECONDS * 1000);
}

/** True when code `codeId` was sent by post. */
export async function sentByPost(tx: Tx, codeId: string): Promise<boolean> {
  const [l] = await tx.select({ id: courriersCodes.id }).from(courriersCodes).where(eq(courriersCodes.codeId, codeId)).limit(1);
  return Boolean(l);
}

/**
 * The operator's letter: the establishment's name and registry address (the referential's when the
 * registry has none), the code in clear until it is printed, and the dates.
 */
async function queueLetter(
  tx: Tx,
  l: { codeId: string; etab: Establishment; code: string; now: Date; expiresAt: Date; requestedBy: string },
): Promise<void> {
  const [reg] = await tx
    .select({
      nom: etablissements.denomination,
      adresse: etablissements.adresse,
      codePostal: etablissements.codePostal,
      commune: etablissements.libelleCommune,
    })
    .from(etablissements)
    .where(eq(etablissements.siret, l.etab.siret));
  const ref = l.etab.ref;
  const address = reg?.adresse
    ? { adresse: reg.adresse, codePostal: reg.codePostal, commune: reg.commune }
    : { adresse: ref.adresse, codePostal: ref.codePostal, commune: ref.commune };
  await tx.insert(courriersCodes).values({
    codeId: l.codeId,
    siret: l.etab.siret,
    nom: reg?.nom ?? ref.nom,
    ...address,
    code: l.code,
    createdAt: l.now,
    expiresAt: l.expiresAt,
    requestedBy: l.requestedBy,
  });
}

/** The code by mail to each administrator, and a line in their tableau de bord (without the code). */
async function sendCode(
  ctx: AppContext,
  tx: Tx,
  s: { user: User; etab: Establishment; admins: Administrator[]; code: string; expiresAt: Date },
): Promise<void> {
  const who = `${s.user.prenom} ${s.user.nom}`;
  for (const a of s.admins)
    await queueMail(tx, ctx.clock, {
      to: a.email,
      subject: 'SOLTéA : code pour saisir les coordonnées bancaires',
      text:
        `Bonjour ${a.prenom} ${a.nom},\n\n` +
        `${who} a demandé un code pour saisir ou modifier les coordonnées bancaires de l’établissement ${s.etab.ref.nom} (SIRET ${formatSiret(s.etab.siret)}) sur SOLTéA.\n\n` +
        `Code : ${formatBankCode(s.code)}\n\n` +
        `Il est valable jusqu’au ${formatDateTime(s.expiresAt)} (${BANK_CODE_VALIDITY_DAYS} jours) et ne sert qu’une fois ; après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées il est bloqué. Aucun autre code ne peut être demandé tant qu’il est valable.\n` +
        `Saisissez-le avec l’IBAN, le BIC et le titulaire du compte : ${publicUrl(ctx, bankPath(s.etab.siret))}\n\n` +
        `Ne communiquez ce code qu’aux personnes chargées des coordonnées bancaires de l’établissement. Si personne ne l’a demandé, ne le transmettez pas et signalez-le.\n\nSOLTéA - net-entreprises`,
    });
  await notify(
    tx,
    ctx,
    s.admins.map((a) => a.id),
    `SOLTéA – ${s.etab.ref.nom} : ${who} a demandé un code pour les coordonnées bancaires ; il a été envoyé par courriel aux administrateurs (valable jusqu’au ${formatDate(s.expiresAt)}).`,
  );
}

// ── using a code ────────────────────────────────────────────────────────────────────────────────────

/** The latest code of the establishment, whatever its state. */
export async function latestCode(tx: Tx, siret: string): Promise<CodeRow | undefined> {
  const [last] = await tx
    .select()
    .from(codesBancaires)
    .where(eq(codesBancaires.siret, siret))
    .orderBy(desc(codesBancaires.createdAt))
    .limit(1);
  return last;
}

/** The code that may be typed now (not used, not expired, not blocked), locked for this entry. */
export async function usableCode(tx: Tx, siret: string, now: Date): Promise<CodeRow | undefined> {
  const [c] = await tx
    .select()
    .from(codesBancaires)
    .where(
      and(
        eq(codesBancaires.siret, siret),
        isNull(codesBancaires.usedAt),
        gt(codesBancaires.expiresAt, now),
        lt(codesBancaires.attempts, BANK_CODE_MAX_ATTEMPTS),
      ),
    )
    .orderBy(desc(codesBancaires.createdAt))
    .limit(1)
    .for('update');
  return c;
}

/** Why no code can be used now, from the latest code of the establishment. */
export async function whyNoCode(tx: Tx, siret: string, now: Date): Promise<{ code: string; message: string }> {
  const last = await latestCode(tx, siret);
  if (!last)
    return {
      code: 'code_non_demande',
      message:
        'Demandez d’abord un code : il sera envoyé par courriel aux administrateurs de l’établissement, ou par courrier à son adresse s’il n’en a pas.',
    };
  if (last.usedAt)
    return { code: 'code_deja_utilise', message: 'Ce code a déjà servi : chaque code ne permet qu’une saisie. Demandez un nouveau code.' };
  if (last.attempts >= BANK_CODE_MAX_ATTEMPTS)
    return {
      code: 'code_bloque',
      message: `Le code est bloqué après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées : demandez un nouveau code.`,
    };
  if (last.expiresAt <= now)
    return {
      code: 'code_expire',
      message: `Le code a expiré (il est valable ${BANK_CODE_VALIDITY_DAYS} jours) : demandez un nouveau code.`,
    };
  return { code: 'code_invalide', message: 'Aucun code valide : demandez un nouveau code.' };
}

/**
 * The code that protects the entry of an establishment's bank details (docs/regles.md#coordonnees-bancaires):
 * « Demander un code » draws a new one (domain/coordonnees-bancaires.ts: 8 symbols, 40 bits, CSPRNG),
 * stores it as an argon2id hash in `codes_bancaires`, valid 30 days, and mails it to the administrators
 * of the establishment's company; it replaces any earlier unused code. One request per establishment
 * per 10 minutes. The code itself is never stored nor written anywhere but in those mails.
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
import { codesBancaires, type users } from '../../infra/db/schema.js';
import { queueMail } from '../../infra/mail.js';
import { consumeRate } from '../../infra/throttle.js';
import { formatDate, formatDateTime } from '../../shared/format.js';
import { failure, type Outcome } from '../../shared/problem.js';
import { publicUrl } from '../../shared/urls.js';
import { notify } from '../notifications/notify.js';
import { establishmentAdministrators, type Administrator, type Establishment } from './access.js';

type User = typeof users.$inferSelect;
type CodeRow = typeof codesBancaires.$inferSelect;

/** The page of the establishment's bank details (named in mails and notifications). */
export const bankPath = (siret: string) => `/soltea/etablissement/${siret}/coordonnees-bancaires`;

export type CodeRequestResult = Outcome<{ expiresAt: Date; recipients: { nom: string; prenom: string }[] }>;

export async function requestBankCode(ctx: AppContext, user: User, etab: Establishment, meta: { ip?: string }): Promise<CodeRequestResult> {
  const now = ctx.clock.now();
  const code = newBankCode();
  const codeHash = await hashSecret(code);
  const expiresAt = new Date(now.getTime() + BANK_CODE_VALIDITY_DAYS * 86_400_000);
  return ctx.db.transaction(async (tx: Tx) => {
    const admins = await establishmentAdministrators(tx, etab.siret, user.espaceId);
    if (admins.length === 0)
      return failure(
        'conflict',
        'aucun_destinataire',
        'Aucun administrateur actif de l’établissement ne peut recevoir le code : un administrateur doit d’abord valider son adresse électronique.',
      );
    if (!(await consumeRate(tx, `bank-code:${etab.siret}`, now, 1, BANK_CODE_RATE_WINDOW_SECONDS)))
      return failure(
        'too_many_requests',
        'code_deja_envoye',
        `Un code vient d’être envoyé pour cet établissement : consultez la messagerie de ses administrateurs. Vous pourrez en demander un nouveau à partir du ${formatDateTime(await nextRequestAt(tx, etab.siret, now))} (un code toutes les 10 minutes au plus).`,
      );
    await replaceCode(tx, { siret: etab.siret, codeHash, requestedBy: user.id, now, expiresAt });
    await sendCode(ctx, tx, { user, etab, admins, code, expiresAt });
    await audit(tx, ctx.clock, {
      action: 'bank_code.requested',
      actorUserId: user.id,
      espaceId: user.espaceId,
      ip: meta.ip ?? null,
      details: { siret: etab.siret, recipients: admins.length, expiresAt: expiresAt.toISOString() },
    });
    return { ok: true as const, expiresAt, recipients: admins.map((a) => ({ nom: a.nom, prenom: a.prenom })) };
  });
}

/** When the establishment may ask for a code again: 10 minutes after the latest one. */
async function nextRequestAt(tx: Tx, siret: string, now: Date): Promise<Date> {
  const last = await latestCode(tx, siret);
  return new Date((last?.createdAt ?? now).getTime() + BANK_CODE_RATE_WINDOW_SECONDS * 1000);
}

/** The new code replaces any code not yet used. */
async function replaceCode(tx: Tx, c: { siret: string; codeHash: string; requestedBy: string; now: Date; expiresAt: Date }): Promise<void> {
  await tx
    .update(codesBancaires)
    .set({ expiresAt: c.now })
    .where(and(eq(codesBancaires.siret, c.siret), isNull(codesBancaires.usedAt), gt(codesBancaires.expiresAt, c.now)));
  await tx
    .insert(codesBancaires)
    .values({ siret: c.siret, codeHash: c.codeHash, requestedBy: c.requestedBy, createdAt: c.now, expiresAt: c.expiresAt, attempts: 0 });
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
        `Il est valable jusqu’au ${formatDateTime(s.expiresAt)} (${BANK_CODE_VALIDITY_DAYS} jours) et ne sert qu’une fois ; après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées il est bloqué. Il remplace tout code envoyé auparavant.\n` +
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
      message: 'Demandez d’abord un code : il sera envoyé par courriel aux administrateurs de l’établissement.',
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

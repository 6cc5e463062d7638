/**
 * The bank-code letters the operator sends by post (docs/regles.md#coordonnees-bancaires): when an
 * establishment's company has no administrator to mail its code to, code-bancaire.ts stores the letter
 * (name, registry address, code, dates) in `courriers_codes`. `takePendingLetters` hands the pending
 * ones over for printing, in one transaction that marks them sent by the agent, erases their code from
 * the table and writes the audit row: a letter is printed once, and its code leaves the database then.
 */
import { asc, inArray, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { BANK_CODE_MAX_ATTEMPTS, formatBankCode } from '../../domain/coordonnees-bancaires.js';
import { formatSiret } from '../../domain/identifiers.js';
import { audit } from '../../infra/audit.js';
import { courriersCodes } from '../../infra/db/schema.js';
import { formatDate, formatDateTime } from '../../shared/format.js';

export interface Letter {
  siret: string;
  nom: string;
  adresse: string;
  codePostal: string | null;
  commune: string | null;
  code: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The pending letters, oldest first, marked sent by `agent` with their code erased (one transaction, audited). */
export async function takePendingLetters(ctx: AppContext, agent: string): Promise<Letter[]> {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(courriersCodes)
      .where(isNull(courriersCodes.sentAt))
      .orderBy(asc(courriersCodes.createdAt))
      .for('update');
    if (rows.length === 0) return [];
    const now = ctx.clock.now();
    await tx
      .update(courriersCodes)
      .set({ sentAt: now, sentBy: agent, code: null })
      .where(
        inArray(
          courriersCodes.id,
          rows.map((r) => r.id),
        ),
      );
    await audit(tx, ctx.clock, {
      action: 'bank_code.letters_printed',
      details: { agent, count: rows.length, sirets: rows.map((r) => r.siret) },
    });
    return rows.map((r) => ({
      siret: r.siret,
      nom: r.nom,
      adresse: r.adresse,
      codePostal: r.codePostal,
      commune: r.commune,
      code: r.code ?? '',
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
    }));
  });
}

/** One letter as printed text (French, the address block first for a window envelope). */
export function letterText(l: Letter, printedAt: Date): string {
  return [
    l.nom,
    l.adresse,
    [l.codePostal, l.commune].filter(Boolean).join(' '),
    `SIRET ${formatSiret(l.siret)}`,
    '',
    `Le ${formatDate(printedAt)}`,
    '',
    'Objet : code pour saisir les coordonnées bancaires de l’établissement sur SOLTéA',
    '',
    'Madame, Monsieur,',
    '',
    `Un code a été demandé le ${formatDateTime(l.createdAt)} pour saisir ou modifier les coordonnées bancaires de votre établissement dans son espace « SOLTéA - Etablissements » sur net-entreprises. Votre entreprise n’ayant pas d’administrateur sur net-entreprises à qui l’envoyer par courriel, il vous est adressé par courrier.`,
    '',
    `Code : ${formatBankCode(l.code)}`,
    '',
    `Il est valable jusqu’au ${formatDateTime(l.expiresAt)} et ne sert qu’une fois ; après ${BANK_CODE_MAX_ATTEMPTS} saisies erronées il est bloqué.`,
    'Ne le communiquez qu’aux personnes chargées des coordonnées bancaires de l’établissement. Si personne ne l’a demandé, ne le transmettez pas et signalez-le à l’opérateur.',
    '',
    'L’opérateur de SOLTéA',
  ].join('\n');
}

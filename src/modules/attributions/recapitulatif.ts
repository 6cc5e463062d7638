/**
 * The récapitulatif of an employer's allocations (PRODUCT « printable récapitulatifs »; docs/messages.md):
 * when a person validates (« Valider mon attribution » makes lines « validées »), in the same
 * transaction, a tableau de bord line and a mail are queued for that person — once per validated state
 * (key: campaign, SIRET, version of the choices, person). The mail is queued held (`MAIL_HELD`): its PDF
 * is built OUT of the validating transaction, by the outbox's `prepare` step (`attachRecapitulatifs`,
 * wired in app.ts) just before it is sent, and by the scheduler's tick should an instance have died
 * between the two. The same récapitulatif is a printable page and a PDF to download from the Synthèse.
 */
import { and, eq, isNull, like } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { formatSiret } from '../../domain/identifiers.js';
import { formatJour } from '../../domain/jours.js';
import type { Tx } from '../../infra/db/index.js';
import { etablissements, mailOutbox, users } from '../../infra/db/schema.js';
import { MAIL_HELD, storedAttachments } from '../../infra/mail.js';
import { formatDate, formatDateTime, formatEurosText, formatPercent } from '../../shared/format.js';
import { PDF_TEXT_WIDTH, renderPdf, type PdfLine } from '../../shared/pdf.js';
import { queueMessages } from '../notifications/messages.js';
import { loadSynthese, type Synthese } from './synthese.js';

const euros = (c: bigint | null) => (c === null ? '—' : formatEurosText(c));
const percent = (bp: number) => formatPercent(bp).replace(/\u00a0/g, ' ');

export const recapitulatifName = (s: Pick<Synthese, 'siret' | 'annee'>) => `soltea-recapitulatif-${s.siret}-${s.annee}.pdf`;

/** The récapitulatif's lines, as the PDF prints them. */
function pdfLines(s: Synthese, denomination: string | null, at: Date): PdfLine[] {
  const amountX = PDF_TEXT_WIDTH - 170;
  const lines: PdfLine[] = [
    { text: 'SOLTéA – Récapitulatif de vos attributions', size: 16, bold: true },
    { text: `Campagne ${s.annee} de répartition du solde de la taxe d’apprentissage`, size: 11 },
    { text: `${denomination ?? 'Employeur'} – SIRET ${formatSiret(s.siret)}`, size: 11, bold: true, spaceBefore: 8 },
    { text: `Établi le ${formatDateTime(at)}`, size: 9 },
  ];
  if (s.enveloppe)
    lines.push(
      { text: 'Vos crédits à répartir', bold: true, size: 12, spaceBefore: 12 },
      {
        cells: [
          { text: 'Crédits à répartir', x: 0 },
          { text: euros(s.enveloppe.creditsCents), x: amountX, alignRight: { width: 170 } },
        ],
      },
    );
  lines.push({ text: 'Vos attributions', bold: true, size: 12, spaceBefore: 12 });
  lines.push({
    bold: true,
    size: 9,
    cells: [
      { text: 'Bénéficiaire', x: 0 },
      { text: 'Part', x: amountX - 90, alignRight: { width: 60 } },
      { text: 'Montant attendu', x: amountX, alignRight: { width: 100 } },
      { text: 'Statut', x: amountX + 110 },
    ],
  });
  for (const l of s.lines) {
    const name = l.target ? `${l.target.libelle} (SIRET ${formatSiret(l.target.siret)})` : 'Établissement retiré du référentiel';
    lines.push({ text: name, size: 9, spaceBefore: 3 });
    lines.push({
      size: 9,
      cells: [
        { text: l.target?.commune ?? '', x: 12 },
        { text: percent(l.pointsBase), x: amountX - 90, alignRight: { width: 60 } },
        { text: euros(l.montantCents), x: amountX, alignRight: { width: 100 } },
        {
          text: l.statut === 'validee' ? `Validée${l.valideeLe ? ` le ${formatDate(l.valideeLe)}` : ''}` : 'À enregistrer',
          x: amountX + 110,
        },
      ],
    });
  }
  if (s.lines.length === 0) lines.push({ text: 'Aucune attribution.', size: 10 });
  lines.push({
    bold: true,
    spaceBefore: 6,
    cells: [
      { text: 'Total attribué', x: 0 },
      { text: percent(s.totalBp), x: amountX - 90, alignRight: { width: 60 } },
      { text: euros(s.attribueCents), x: amountX, alignRight: { width: 100 } },
    ],
  });
  lines.push(
    { text: `Non attribué : ${percent(s.resteBp)}${s.nonAttribueCents === null ? '' : ` (${euros(s.nonAttribueCents)})`}`, size: 10 },
    {
      size: 9,
      spaceBefore: 12,
      text:
        `Versements : ${s.campaign.vagues.map((v) => `vague ${v.numero} à partir du ${formatJour(v.date)} (attributions validées en période ${v.periodeNumero})`).join(' ; ')}. ` +
        `Les fonds non attribués à la fin de la campagne sont répartis à partir du ${formatJour(s.campaign.reliquat)} (article R. 6241-28 du code du travail).`,
    },
  );
  return lines;
}

/** The récapitulatif of SIRET `siret` for campaign `annee` as a PDF file. */
export async function recapitulatifPdf(db: Tx, now: Date, annee: number, siret: string): Promise<{ name: string; pdf: Uint8Array }> {
  const s = await loadSynthese(db, now, annee, siret);
  const [e] = await db.select({ denomination: etablissements.denomination }).from(etablissements).where(eq(etablissements.siret, siret));
  return {
    name: recapitulatifName(s),
    pdf: renderPdf({ title: `Récapitulatif SOLTéA ${annee} – SIRET ${siret}`, lines: pdfLines(s, e?.denomination ?? null, now) }),
  };
}

/** Queues the récapitulatif for the person who validated (call it in the validating transaction, after the writes); its PDF is built later. */
export async function queueRecapitulatif(
  ctx: Pick<AppContext, 'clock'>,
  tx: Tx,
  v: { annee: number; siret: string; userId: string; version: number },
): Promise<void> {
  const [p] = await tx
    .select({ user_id: users.id, email: users.email, prenom: users.prenom, nom: users.nom, status: users.status })
    .from(users)
    .where(eq(users.id, v.userId));
  if (!p || p.status !== 'active') return;
  const now = ctx.clock.now();
  const name = recapitulatifName({ siret: v.siret, annee: v.annee });
  const line = `SOLTéA – Vous avez validé des attributions du SIRET ${formatSiret(v.siret)} pour la campagne ${v.annee}. Le récapitulatif vous est envoyé par courriel (PDF) et reste imprimable depuis la Synthèse.`;
  await queueMessages(tx, now, [
    {
      cle: `recapitulatif:${v.annee}:${v.siret}:${v.version}:${p.user_id}`,
      person: p,
      line,
      subject: `SOLTéA : récapitulatif de vos attributions (SIRET ${formatSiret(v.siret)})`,
      body:
        `Vous avez validé des attributions du SIRET ${formatSiret(v.siret)} pour la campagne ${v.annee} de répartition du solde de la taxe d’apprentissage.\n\n` +
        `Le récapitulatif de vos attributions est joint à ce courriel (${name}). Vous pouvez aussi l’imprimer depuis la Synthèse de votre espace « SOLTéA - Employeurs ».`,
      held: true,
    },
  ]);
}

const HELD_PREFIX = 'recapitulatif:';
/** Held récapitulatifs completed per call (each in its own short transaction). */
const ATTACH_BATCH = 200;

/**
 * Builds the PDF of the held récapitulatif mails (queued by `queueRecapitulatif`) and releases them, one
 * short transaction per mail, each row claimed `FOR UPDATE SKIP LOCKED` so two instances never build the
 * same one. The PDF is of the SIRET's allocations as they are when it is built (the mail's key names the
 * version validated). Returns how many were released.
 */
export async function attachRecapitulatifs(ctx: Pick<AppContext, 'db' | 'clock'>): Promise<number> {
  let done = 0;
  while (done < ATTACH_BATCH) {
    const one = await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ id: mailOutbox.id, key: mailOutbox.dedupeKey })
        .from(mailOutbox)
        .where(
          and(
            eq(mailOutbox.nextAttemptAt, MAIL_HELD),
            isNull(mailOutbox.sentAt),
            isNull(mailOutbox.gaveUpAt),
            like(mailOutbox.dedupeKey, `${HELD_PREFIX}%`),
          ),
        )
        .orderBy(mailOutbox.id)
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return false;
      // recapitulatif:<année>:<siret>:<version>:<user>
      const [, annee, siret] = row.key!.split(':');
      const now = ctx.clock.now();
      const { name, pdf } = await recapitulatifPdf(tx, now, Number(annee), siret!);
      await tx
        .update(mailOutbox)
        .set({ attachments: storedAttachments([{ filename: name, contentType: 'application/pdf', content: pdf }]), nextAttemptAt: now })
        .where(eq(mailOutbox.id, row.id));
      return true;
    });
    if (!one) break;
    done++;
  }
  return done;
}

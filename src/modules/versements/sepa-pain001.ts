/**
 * The SEPA credit transfer file of a payment wave: ISO 20022 `pain.001.001.09` (customer credit
 * transfer initiation), valid against the ISO schema and the EPC implementation guidelines
 * (EPC132-08), docs/regles.md#versements and docs/sepa.md.
 *
 * One file per wave, one `PmtInf` (service level SEPA, charges SLEV, batch booking, the wave's date as
 * requested execution date), one `CdtTrfTxInf` per transfer. The file is **streamed**: the transfers
 * come from an (async) iterable, typically rows read from the database in batches, and leave as string
 * chunks, so memory stays flat whatever their number. The header's `NbOfTxs` and `CtrlSum` come before
 * the transfers, so the caller gives them (computed beforehand, e.g. by one SQL statement); the writer
 * counts and adds up what it streams and throws before the closing tag if they differ: a consumer that
 * did not receive the last chunk has no file.
 *
 * Pure and byte-stable: the same input gives the same bytes (no clock, no random), so a file written
 * again hashes to the SHA-256 recorded when it was issued. Amounts are bigint cents, never floats.
 */
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSepaIban, isValidBic, isValidIban } from '../../domain/iban.js';
import type { Cents } from '../../domain/money.js';
import { formatEurosText } from '../../shared/format.js';
import { problem, ProblemError } from '../../shared/problem.js';
import { escapeXml, isSepaIdentifier, SEPA_NAME_MAX, SEPA_REMITTANCE_MAX, toSepaText } from './sepa-texte.js';

export const PAIN_001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';
/** The EPC's bounds of one transfer: 0.01 € to 999,999,999.99 €. */
export const SEPA_MIN_CENTS = 1n;
export const SEPA_MAX_CENTS = 99_999_999_999n;
/** Chunks of about this many characters leave the writer (one per transfer would be many small writes). */
const CHUNK_CHARS = 64 * 1024;

/** The ordering account: the operator's (`SEPA_DEBTOR_NAME`, `SEPA_DEBTOR_IBAN`, `SEPA_DEBTOR_BIC`). */
export interface DonneurOrdre {
  nom: string;
  iban: string;
  bic: string;
}

/** What the file says before its transfers; the count and the sum are those expected. */
export interface EnTetePain001 {
  /** `GrpHdr/MsgId`, unique per file (≤ 35 SEPA characters) */
  messageId: string;
  /** `PmtInf/PmtInfId` (≤ 35 SEPA characters) */
  lotId: string;
  /** `GrpHdr/CreDtTm`: when the wave's file was first issued (given, so that a new copy is identical) */
  creeLe: Date;
  /** `ReqdExctnDt/Dt`: the wave's date, `YYYY-MM-DD` */
  dateExecution: string;
  donneurOrdre: DonneurOrdre;
  /** `NbOfTxs` expected (≥ 1) */
  nombreVirements: number;
  /** `CtrlSum` expected, in cents */
  totalCentimes: Cents;
}

/** One transfer of the wave. */
export interface VirementSepa {
  /** the transfer's unique id: `InstrId` and `EndToEndId` (≤ 35 SEPA characters), what the bank's returns quote */
  id: string;
  montantCentimes: Cents;
  /** the holder of the account (transliterated, cut to 70) */
  nom: string;
  iban: string;
  /** the creditor's bank; `null` writes no `CdtrAgt` (IBAN only, allowed in SEPA) */
  bic: string | null;
  /** `RmtInf/Ustrd` (transliterated, cut to 140), see `virementLabel` (domain/versements.ts) */
  libelle: string;
}

/** What was written: its SHA-256 (hex), its size, and the checked count and sum. */
export interface Pain001Ecrit {
  sha256: string;
  octets: number;
  nombreVirements: number;
  totalCentimes: Cents;
}

/** 1234n → « 12.34 »: the decimal amount of the XML, from integer cents (no float). */
export function formatSepaAmount(cents: Cents): string {
  if (cents < 0n) throw new RangeError('formatSepaAmount: negative amount');
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

function invalid(message: string): ProblemError {
  return new ProblemError(problem('invalid', 'sepa_donnee_invalide', message));
}

function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** `CreDtTm`: UTC, to the second (`2026-06-15T08:00:00Z`). */
function isoDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw invalid('La date de création du fichier SEPA est invalide.');
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** A name or label in the SEPA set, cut; refused when nothing is left of it. */
function sepaName(input: string, max: number, what: string): string {
  const text = toSepaText(input, max);
  if (!text) throw invalid(`${what} ne contient aucun caractère utilisable dans un virement SEPA : « ${input} ».`);
  return escapeXml(text);
}

function checkHeader(h: EnTetePain001): void {
  if (!isSepaIdentifier(h.messageId))
    throw invalid(`L'identifiant du message SEPA « ${h.messageId} » n'est pas valide (1 à 35 caractères SEPA).`);
  if (!isSepaIdentifier(h.lotId)) throw invalid(`L'identifiant du lot SEPA « ${h.lotId} » n'est pas valide (1 à 35 caractères SEPA).`);
  if (!isIsoDate(h.dateExecution)) throw invalid(`La date d'exécution « ${h.dateExecution} » n'est pas une date AAAA-MM-JJ.`);
  const d = h.donneurOrdre;
  if (!isValidIban(d.iban) || !isSepaIban(d.iban)) throw invalid(`L'IBAN du donneur d'ordre « ${d.iban} » n'est pas un IBAN SEPA valide.`);
  if (!isValidBic(d.bic)) throw invalid(`Le BIC du donneur d'ordre « ${d.bic} » n'est pas valide.`);
  if (!Number.isSafeInteger(h.nombreVirements) || h.nombreVirements < 1) {
    throw invalid(`Un fichier SEPA contient au moins un virement (annoncé : ${h.nombreVirements}).`);
  }
  if (h.totalCentimes < BigInt(h.nombreVirements) * SEPA_MIN_CENTS) {
    throw invalid(`Le total annoncé (${formatEurosText(h.totalCentimes)}) ne peut pas être celui de ${h.nombreVirements} virement(s).`);
  }
}

/** Everything before the first transfer, with the expected count and sum. */
function headerXml(h: EnTetePain001): string {
  checkHeader(h);
  const nom = sepaName(h.donneurOrdre.nom, SEPA_NAME_MAX, 'Le nom du donneur d’ordre');
  const nb = String(h.nombreVirements);
  const sum = formatSepaAmount(h.totalCentimes);
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${PAIN_001_NAMESPACE}">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>${h.messageId}</MsgId>
      <CreDtTm>${isoDateTime(h.creeLe)}</CreDtTm>
      <NbOfTxs>${nb}</NbOfTxs>
      <CtrlSum>${sum}</CtrlSum>
      <InitgPty>
        <Nm>${nom}</Nm>
      </InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>${h.lotId}</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>${nb}</NbOfTxs>
      <CtrlSum>${sum}</CtrlSum>
      <PmtTpInf>
        <SvcLvl>
          <Cd>SEPA</Cd>
        </SvcLvl>
      </PmtTpInf>
      <ReqdExctnDt>
        <Dt>${h.dateExecution}</Dt>
      </ReqdExctnDt>
      <Dbtr>
        <Nm>${nom}</Nm>
      </Dbtr>
      <DbtrAcct>
        <Id>
          <IBAN>${h.donneurOrdre.iban}</IBAN>
        </Id>
      </DbtrAcct>
      <DbtrAgt>
        <FinInstnId>
          <BICFI>${h.donneurOrdre.bic}</BICFI>
        </FinInstnId>
      </DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>
`;
}

function checkTransfer(v: VirementSepa): void {
  if (!isSepaIdentifier(v.id)) throw invalid(`L'identifiant de virement « ${v.id} » n'est pas valide (1 à 35 caractères SEPA).`);
  if (v.montantCentimes < SEPA_MIN_CENTS || v.montantCentimes > SEPA_MAX_CENTS) {
    throw invalid(
      `Le montant du virement ${v.id} (${formatEurosText(v.montantCentimes)}) est hors des bornes SEPA (0,01 € à 999 999 999,99 €).`,
    );
  }
  if (!isValidIban(v.iban) || !isSepaIban(v.iban)) throw invalid(`L'IBAN du virement ${v.id} n'est pas un IBAN SEPA valide.`);
  if (v.bic !== null && !isValidBic(v.bic)) throw invalid(`Le BIC du virement ${v.id} (« ${v.bic} ») n'est pas valide.`);
}

/** One `CdtTrfTxInf`. */
function transferXml(v: VirementSepa): string {
  checkTransfer(v);
  const nom = sepaName(v.nom, SEPA_NAME_MAX, `Le nom du bénéficiaire du virement ${v.id}`);
  const libelle = sepaName(v.libelle, SEPA_REMITTANCE_MAX, `Le libellé du virement ${v.id}`);
  const agent =
    v.bic === null
      ? ''
      : `        <CdtrAgt>
          <FinInstnId>
            <BICFI>${v.bic}</BICFI>
          </FinInstnId>
        </CdtrAgt>
`;
  return `      <CdtTrfTxInf>
        <PmtId>
          <InstrId>${v.id}</InstrId>
          <EndToEndId>${v.id}</EndToEndId>
        </PmtId>
        <Amt>
          <InstdAmt Ccy="EUR">${formatSepaAmount(v.montantCentimes)}</InstdAmt>
        </Amt>
${agent}        <Cdtr>
          <Nm>${nom}</Nm>
        </Cdtr>
        <CdtrAcct>
          <Id>
            <IBAN>${v.iban}</IBAN>
          </Id>
        </CdtrAcct>
        <RmtInf>
          <Ustrd>${libelle}</Ustrd>
        </RmtInf>
      </CdtTrfTxInf>
`;
}

const FOOTER = `    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
`;

function mismatch(h: EnTetePain001, count: number, sum: Cents): ProblemError {
  return new ProblemError(
    problem(
      'conflict',
      'sepa_controle_different',
      `Le fichier SEPA ${h.messageId} annonçait ${h.nombreVirements} virement(s) pour ${formatEurosText(h.totalCentimes)}, ` +
        `mais ${count} virement(s) pour ${formatEurosText(sum)} ont été écrits : le fichier est incomplet et ne doit pas être transmis.`,
    ),
  );
}

/**
 * The pain.001 of one wave, as string chunks. Throws a `ProblemError` on a value the schemas or the
 * EPC refuse (`sepa_donnee_invalide`), or when the transfers streamed do not match the announced
 * count and sum (`sepa_controle_different`, thrown before the closing tag, as soon as the count is
 * exceeded or at the end).
 */
export async function* writePain001(
  h: EnTetePain001,
  virements: Iterable<VirementSepa> | AsyncIterable<VirementSepa>,
): AsyncGenerator<string> {
  let chunk = headerXml(h);
  let count = 0;
  let sum = 0n;
  for await (const v of virements) {
    chunk += transferXml(v);
    count += 1;
    sum += v.montantCentimes;
    if (count > h.nombreVirements) throw mismatch(h, count, sum);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (count !== h.nombreVirements || sum !== h.totalCentimes) throw mismatch(h, count, sum);
  yield chunk + FOOTER;
}

/**
 * Writes the wave's pain.001 into `out` (a file, an HTTP answer), with backpressure, and returns its
 * SHA-256 and size. On any error `out` is destroyed (`stream.pipeline`) and the promise rejects: the
 * caller removes the partial file and records nothing.
 */
export async function writePain001To(
  out: Writable,
  h: EnTetePain001,
  virements: Iterable<VirementSepa> | AsyncIterable<VirementSepa>,
): Promise<Pain001Ecrit> {
  const hash = createHash('sha256');
  let octets = 0;
  await pipeline(
    writePain001(h, virements),
    async function* (source: AsyncIterable<string>) {
      for await (const text of source) {
        const bytes = Buffer.from(text, 'utf8');
        hash.update(bytes);
        octets += bytes.length;
        yield bytes;
      }
    },
    out,
  );
  return { sha256: hash.digest('hex'), octets, nombreVirements: h.nombreVirements, totalCentimes: h.totalCentimes };
}

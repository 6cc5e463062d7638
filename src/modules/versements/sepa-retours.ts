/**
 * What the bank says back about a wave's transfers (docs/sepa.md#retours). Pure parsers of two ISO 20022
 * messages, any version of the `.001.x` series (they share the elements read here):
 * - **pain.002** (customer payment status report): the file's status (`GrpSts`), each batch's
 *   (`PmtInfSts`), and each transfer's (`TxSts`) with its reason (`StsRsnInf/Rsn/Cd`);
 * - **camt.054** (debit/credit notification): each booked entry's transfers; a transfer returned
 *   (`RtrInf/Rsn/Cd`, bank transaction sub-family `RRTN`, or a reversed entry) is rejected, a transfer
 *   debited from our account is accepted.
 * Either gives one `{ endToEndId, statut, motifCode, motifLibelle, montantCentimes }` per transfer, the
 * reasons in French (sepa-motifs.ts). A file that is neither, malformed, truncated or that carries a
 * DOCTYPE is refused with a French message. Read with fast-xml-parser: no DTD, no external entity.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Cents } from '../../domain/money.js';
import { failure, type Outcome } from '../../shared/problem.js';
import { decodeText } from '../../shared/text-decoding.js';
import { motifLibelle } from './sepa-motifs.js';

export type StatutRetour = 'rejete' | 'accepte';

export interface RetourVirement {
  /** the `EndToEndId` of our pain.001: the transfer's id */
  endToEndId: string;
  statut: StatutRetour;
  /** the bank's reason code (`AC01`…), `null` when none is given (an accepted transfer) */
  motifCode: string | null;
  /** its French label, « Motif bancaire <code> » for a code we do not know */
  motifLibelle: string | null;
  /** the amount the bank quotes, when it quotes one */
  montantCentimes: Cents | null;
}

export interface Motif {
  code: string;
  libelle: string;
}

export interface RetourBancaire {
  type: 'pain.002' | 'camt.054';
  /** from the namespace, e.g. `pain.002.001.10`; `null` when the file declares none */
  version: string | null;
  /** the return's own `GrpHdr/MsgId` */
  messageId: string | null;
  /** pain.002: the `MsgId` of our pain.001 it answers */
  messageOrigineId: string | null;
  /** pain.002: the whole file's status (`ACCP`, `ACSC`, `PART`, `RJCT`…); a `RJCT` without lines rejects every transfer */
  statutGroupe: string | null;
  motifGroupe: Motif | null;
  /** pain.002: each batch's status (`OrgnlPmtInfAndSts`) */
  lots: { lotId: string | null; statut: string | null; motif: Motif | null }[];
  /** final statuses only: a transfer still pending (`PDNG`, `RCVD`) is not listed */
  virements: RetourVirement[];
}

type Node = Record<string, unknown>;

/** Elements that may repeat, read as arrays even when there is one. */
const REPEATED = new Set(['Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls', 'OrgnlPmtInfAndSts', 'TxInfAndSts', 'StsRsnInf']);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => REPEATED.has(name),
});

const obj = (x: unknown): Node | null => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Node) : null);
const list = (x: unknown): Node[] => (Array.isArray(x) ? x.map(obj).filter((n): n is Node => n !== null) : []);
/** The text of an element, also when it carries attributes (`<Amt Ccy="EUR">12.30</Amt>`). */
function text(x: unknown): string | null {
  if (typeof x === 'string') return x.trim() || null;
  const o = obj(x);
  return o && typeof o['#text'] === 'string' ? o['#text'].trim() || null : null;
}
/** Follows a path of element names. */
function at(node: unknown, ...path: string[]): unknown {
  let cur: unknown = node;
  for (const name of path) cur = obj(cur)?.[name];
  return cur;
}

/** « 12.3 » → 1230n, exactly; `null` for anything that is not a decimal amount of at most 2 places. */
export function parseSepaAmount(value: string | null): Cents | null {
  const m = value === null ? null : /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) return null;
  return BigInt(m[1] ?? '0') * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** A reason (`Rsn/Cd`, or `Rsn/Prtry` for a bank's own code). */
function motifOf(reasonHolder: unknown): Motif | null {
  const code = text(at(reasonHolder, 'Rsn', 'Cd')) ?? text(at(reasonHolder, 'Rsn', 'Prtry'));
  return code === null ? null : { code, libelle: motifLibelle(code) };
}

function line(endToEndId: string, statut: StatutRetour, motif: Motif | null, montantCentimes: Cents | null): RetourVirement {
  return { endToEndId, statut, motifCode: motif?.code ?? null, motifLibelle: motif?.libelle ?? null, montantCentimes };
}

/** `RJCT` is a rejection, every `AC…` an acceptance (`ACCP`, `ACSC`, `ACSP`, `ACTC`, `ACWC`…); others are not final. */
function statutOf(code: string | null): StatutRetour | null {
  if (code === 'RJCT') return 'rejete';
  return code?.startsWith('AC') ? 'accepte' : null;
}

type Body = Omit<RetourBancaire, 'type' | 'version'>;

function parsePain002(msg: Node): Body {
  const grp = at(msg, 'OrgnlGrpInfAndSts');
  const statutGroupe = text(at(grp, 'GrpSts'));
  const lots: Body['lots'] = [];
  const virements: RetourVirement[] = [];
  for (const pmt of list(msg.OrgnlPmtInfAndSts)) {
    const statutLot = text(pmt.PmtInfSts);
    lots.push({ lotId: text(pmt.OrgnlPmtInfId), statut: statutLot, motif: motifOf(list(pmt.StsRsnInf)[0]) });
    for (const tx of list(pmt.TxInfAndSts)) {
      const endToEndId = text(tx.OrgnlEndToEndId);
      // a line without its own status has its batch's, or the file's
      const statut = statutOf(text(tx.TxSts) ?? statutLot ?? statutGroupe);
      if (endToEndId === null || statut === null) continue;
      const motif = statut === 'rejete' ? motifOf(list(tx.StsRsnInf)[0]) : null;
      virements.push(line(endToEndId, statut, motif, parseSepaAmount(text(at(tx, 'OrgnlTxRef', 'Amt', 'InstdAmt')))));
    }
  }
  return {
    messageId: text(at(msg, 'GrpHdr', 'MsgId')),
    messageOrigineId: text(at(grp, 'OrgnlMsgId')),
    statutGroupe,
    motifGroupe: motifOf(list(obj(grp)?.StsRsnInf)[0]),
    lots,
    virements,
  };
}

/** The transfers of one booked camt.054 entry. */
function entryLines(ntry: Node): RetourVirement[] {
  const sts = text(ntry.Sts) ?? text(at(ntry, 'Sts', 'Cd')); // a string up to v07, `<Sts><Cd>` from v08
  if (sts !== null && sts !== 'BOOK') return [];
  const debit = text(ntry.CdtDbtInd) === 'DBIT';
  const reversed = text(ntry.RvslInd) === 'true';
  const returned = text(at(ntry, 'BkTxCd', 'Domn', 'Fmly', 'SubFmlyCd')) === 'RRTN';
  const txs = list(ntry.NtryDtls).flatMap((d) => list(d.TxDtls));
  const out: RetourVirement[] = [];
  for (const tx of txs) {
    const endToEndId = text(at(tx, 'Refs', 'EndToEndId'));
    if (endToEndId === null || endToEndId === 'NOTPROVIDED') continue;
    const amount =
      parseSepaAmount(text(tx.Amt)) ??
      parseSepaAmount(text(at(tx, 'AmtDtls', 'TxAmt', 'Amt'))) ??
      (txs.length === 1 ? parseSepaAmount(text(ntry.Amt)) : null);
    const rtrInf = obj(tx.RtrInf);
    if (rtrInf || returned || reversed) out.push(line(endToEndId, 'rejete', motifOf(rtrInf), amount));
    else if (debit) out.push(line(endToEndId, 'accepte', null, amount));
  }
  return out;
}

function parseCamt054(msg: Node): Body {
  const virements = list(msg.Ntfctn)
    .flatMap((n) => list(n.Ntry))
    .flatMap(entryLines);
  return {
    messageId: text(at(msg, 'GrpHdr', 'MsgId')),
    messageOrigineId: null,
    statutGroupe: null,
    motifGroupe: null,
    lots: [],
    virements,
  };
}

/**
 * One line per transfer: a transfer debited then returned (a camt.054 holds both entries) is rejected;
 * the order is that of first appearance.
 */
function oneLinePerTransfer(lines: RetourVirement[]): RetourVirement[] {
  const byId = new Map<string, RetourVirement>();
  for (const l of lines) {
    const seen = byId.get(l.endToEndId);
    if (!seen || (seen.statut === 'accepte' && l.statut === 'rejete')) byId.set(l.endToEndId, l);
  }
  return [...byId.values()];
}

const NAMESPACE = /xmlns(?::[\w.-]+)?\s*=\s*["']urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.\d{2})["']/;

const MESSAGES: Readonly<Record<string, string>> = {
  CstmrCdtTrfInitn: 'un ordre de virement (pain.001) : c’est le fichier envoyé à la banque, pas sa réponse',
  BkToCstmrStmt: 'un relevé de compte (camt.053) : les rejets se lisent dans un pain.002 ou un camt.054',
  BkToCstmrAcctRpt: 'un relevé intrajournalier (camt.052) : les rejets se lisent dans un pain.002 ou un camt.054',
};

const unreadable = (message: string) => failure('invalid', 'retour_bancaire_illisible', message);

/** Parses the bank's return file (pain.002 or camt.054), given as text or bytes. */
export function parseRetourBancaire(input: string | Uint8Array): Outcome<{ retour: RetourBancaire }> {
  const xml = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeText(input).text;
  if (!xml.trim()) return unreadable('Le fichier de retour de la banque est vide.');
  if (/<!(DOCTYPE|ENTITY)/i.test(xml))
    return unreadable('Le fichier contient une déclaration DOCTYPE ou ENTITY, refusée dans un retour bancaire.');
  const check = XMLValidator.validate(xml);
  if (check !== true) {
    const where = check.err.line ? ` (ligne ${check.err.line})` : '';
    return unreadable(`Le fichier n’est pas un XML bien formé${where} : il est peut-être tronqué ou abîmé.`);
  }
  const doc = obj(obj(parser.parse(xml) as unknown)?.Document);
  const name = doc ? Object.keys(doc).find((k) => !k.startsWith('@_') && !k.startsWith('#')) : undefined;
  const msg = name === undefined ? null : obj(doc?.[name]);
  const version = NAMESPACE.exec(xml.slice(0, 4096))?.[1] ?? null;
  const body = name === 'CstmrPmtStsRpt' && msg ? parsePain002(msg) : name === 'BkToCstmrDbtCdtNtfctn' && msg ? parseCamt054(msg) : null;
  if (body) {
    const type = name === 'CstmrPmtStsRpt' ? 'pain.002' : 'camt.054';
    return { ok: true, retour: { type, version, ...body, virements: oneLinePerTransfer(body.virements) } };
  }
  const what = name === undefined ? 'un document XML sans message ISO 20022' : (MESSAGES[name] ?? `un message « ${name} »`);
  return failure(
    'invalid',
    'retour_bancaire_inconnu',
    `Ce fichier n’est ni un rapport de statut (pain.002) ni un avis de débit ou de crédit (camt.054) : c’est ${what}.`,
  );
}

/**
 * The bank's returns: pain.002 status reports and camt.054 notifications, read into one line per
 * transfer with the reason in French; files of the wrong kind, malformed or truncated are refused with
 * a French message.
 */
import { describe, expect, it } from 'vitest';
import { motifLibelle } from '../../src/modules/versements/sepa-motifs.js';
import { parseRetourBancaire, parseSepaAmount, type RetourBancaire } from '../../src/modules/versements/sepa-retours.js';
import { enTete, expectValidPain001, fixture, pain001, virement } from './helpers.js';

function parsed(xml: string | Uint8Array): RetourBancaire {
  const r = parseRetourBancaire(xml);
  if (!r.ok) throw new Error(r.problem.message);
  return r.retour;
}

function refused(xml: string | Uint8Array): { code: string; message: string; kind: string } {
  const r = parseRetourBancaire(xml);
  if (r.ok) throw new Error('accepted');
  return r.problem;
}

/** A minimal pain.002 around one `OrgnlPmtInfAndSts` body. */
const pain002 = (version: string, group: string, body = '', prefix = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<${prefix}Document xmlns${prefix ? `:${prefix.slice(0, -1)}` : ''}="urn:iso:std:iso:20022:tech:xsd:pain.002.001.${version}">
  <${prefix}CstmrPmtStsRpt>
    <${prefix}GrpHdr><${prefix}MsgId>PSR-1</${prefix}MsgId><${prefix}CreDtTm>2026-06-30T09:00:00</${prefix}CreDtTm></${prefix}GrpHdr>
    <${prefix}OrgnlGrpInfAndSts><${prefix}OrgnlMsgId>SOLTEA-2026-V1</${prefix}OrgnlMsgId><${prefix}OrgnlMsgNmId>pain.001.001.09</${prefix}OrgnlMsgNmId>${group}</${prefix}OrgnlGrpInfAndSts>
    ${body}
  </${prefix}CstmrPmtStsRpt>
</${prefix}Document>`;

describe('pain.002', () => {
  it('reads a report rejecting two transfers (AC01, MD07) and accepting one', () => {
    const r = parsed(fixture('pain002-rejets.xml'));
    expect(r).toEqual({
      type: 'pain.002',
      version: 'pain.002.001.10',
      messageId: 'PSR-20260630-000417',
      messageOrigineId: 'SOLTEA-2026-V1',
      statutGroupe: 'PART',
      motifGroupe: null,
      lots: [{ lotId: 'SOLTEA-2026-V1-L1', statut: 'PART', motif: null }],
      virements: [
        {
          endToEndId: 'V2026-1-000001',
          statut: 'rejete',
          motifCode: 'AC01',
          motifLibelle: 'Numéro de compte incorrect',
          montantCentimes: 123456n,
        },
        { endToEndId: 'V2026-1-000002', statut: 'rejete', motifCode: 'MD07', motifLibelle: 'Titulaire décédé', montantCentimes: 450000n },
        { endToEndId: 'V2026-1-000003', statut: 'accepte', motifCode: null, motifLibelle: null, montantCentimes: 1000000n },
      ],
    });
  });

  it('reads a whole file rejected (pain.002.001.03, FF01) with no transaction line', () => {
    const r = parsed(pain002('03', '<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>'));
    expect(r).toMatchObject({
      type: 'pain.002',
      version: 'pain.002.001.03',
      statutGroupe: 'RJCT',
      motifGroupe: { code: 'FF01', libelle: 'Format de fichier ou d’opération invalide' },
      virements: [],
    });
  });

  it('reads prefixed names, a bank’s own reason (Prtry), an unknown code, a line without status, and skips pending lines', () => {
    const body = `<p:OrgnlPmtInfAndSts><p:OrgnlPmtInfId>L1</p:OrgnlPmtInfId><p:PmtInfSts>RJCT</p:PmtInfSts>
      <p:StsRsnInf><p:Rsn><p:Cd>AM04</p:Cd></p:Rsn></p:StsRsnInf>
      <p:TxInfAndSts><p:OrgnlEndToEndId>E1</p:OrgnlEndToEndId><p:TxSts>RJCT</p:TxSts><p:StsRsnInf><p:Rsn><p:Prtry>ZZ99</p:Prtry></p:Rsn></p:StsRsnInf></p:TxInfAndSts>
      <p:TxInfAndSts><p:OrgnlEndToEndId>E2</p:OrgnlEndToEndId><p:StsRsnInf><p:Rsn><p:Cd>RC01</p:Cd></p:Rsn></p:StsRsnInf></p:TxInfAndSts>
      <p:TxInfAndSts><p:OrgnlEndToEndId>E3</p:OrgnlEndToEndId><p:TxSts>PDNG</p:TxSts></p:TxInfAndSts>
    </p:OrgnlPmtInfAndSts>`;
    const r = parsed(pain002('12', '<p:GrpSts>RJCT</p:GrpSts>', body, 'p:'));
    expect(r.version).toBe('pain.002.001.12');
    expect(r.lots).toEqual([{ lotId: 'L1', statut: 'RJCT', motif: { code: 'AM04', libelle: 'Provision insuffisante' } }]);
    expect(r.virements).toEqual([
      { endToEndId: 'E1', statut: 'rejete', motifCode: 'ZZ99', motifLibelle: 'Motif bancaire ZZ99', montantCentimes: null },
      { endToEndId: 'E2', statut: 'rejete', motifCode: 'RC01', motifLibelle: 'BIC incorrect', montantCentimes: null },
    ]);
  });

  it('reads bytes with a byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(fixture('pain002-rejets.xml'))]);
    expect(parsed(bytes).virements).toHaveLength(3);
  });
});

describe('camt.054', () => {
  it('reads the batch debited and one transfer returned (AC04), ignoring a pending entry', () => {
    const r = parsed(fixture('camt054-retour.xml'));
    expect(r).toEqual({
      type: 'camt.054',
      version: 'camt.054.001.08',
      messageId: 'NTF-20260703-5521',
      messageOrigineId: null,
      statutGroupe: null,
      motifGroupe: null,
      lots: [],
      virements: [
        { endToEndId: 'V2026-1-000004', statut: 'accepte', motifCode: null, motifLibelle: null, montantCentimes: 123456n },
        // debited, then returned: the return wins
        { endToEndId: 'V2026-1-000005', statut: 'rejete', motifCode: 'AC04', motifLibelle: 'Compte clos', montantCentimes: 450000n },
      ],
    });
  });

  it('reads an older version (camt.054.001.02: status as text, amount in AmtDtls) and a reversed entry', () => {
    const xml = `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>
  <GrpHdr><MsgId>N2</MsgId></GrpHdr>
  <Ntfctn><Id>1</Id>
    <Ntry><Amt Ccy="EUR">10.5</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <NtryDtls><TxDtls><Refs><EndToEndId>E7</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">10.5</Amt></TxAmt></AmtDtls>
        <RtrInf><Rsn><Cd>MS03</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
    <Ntry><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
      <NtryDtls><TxDtls><Refs><EndToEndId>E8</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
    <Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs></TxDtls><TxDtls><Refs><EndToEndId>E9</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
  </Ntfctn>
</BkToCstmrDbtCdtNtfctn></Document>`;
    expect(parsed(xml).virements).toEqual([
      {
        endToEndId: 'E7',
        statut: 'rejete',
        motifCode: 'MS03',
        motifLibelle: 'Refus de la banque, motif non communiqué',
        montantCentimes: 1050n,
      },
      { endToEndId: 'E8', statut: 'rejete', motifCode: null, motifLibelle: null, montantCentimes: 2000n },
    ]);
  });
});

describe('files that are not a return', () => {
  it('refuses a file of the wrong kind (a camt.053 statement)', () => {
    expect(refused(fixture('camt053-releve.xml'))).toMatchObject({
      kind: 'invalid',
      code: 'retour_bancaire_inconnu',
      message: expect.stringContaining('relevé de compte (camt.053)') as string,
    });
  });

  it('refuses our own pain.001, saying what it is', async () => {
    const vs = [virement(1)];
    const xml = await pain001(enTete(vs), vs);
    await expectValidPain001(xml);
    const pb = refused(xml);
    expect(pb.code).toBe('retour_bancaire_inconnu');
    expect(pb.message).toBe(
      'Ce fichier n’est ni un rapport de statut (pain.002) ni un avis de débit ou de crédit (camt.054) : c’est un ordre de virement (pain.001) : c’est le fichier envoyé à la banque, pas sa réponse.',
    );
  });

  it.each([
    ['a truncated file', fixture('pain002-tronque.xml'), /n’est pas un XML bien formé \(ligne \d+\) : il est peut-être tronqué/],
    ['a CSV file', 'endToEndId;statut\nV1;RJCT\n', /n’est pas un XML bien formé/],
    ['an empty file', '  \n', /est vide/],
    ['a DOCTYPE with entities', '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>', /DOCTYPE ou ENTITY/],
  ])('refuses %s', (_what, xml, message) => {
    const pb = refused(xml);
    expect(pb).toMatchObject({ kind: 'invalid', code: 'retour_bancaire_illisible' });
    expect(pb.message).toMatch(message);
  });

  it('refuses another XML document', () => {
    expect(refused('<?xml version="1.0"?><Document><Autre/></Document>').message).toContain('un message « Autre »');
    expect(refused('<html><body/></html>').message).toContain('un document XML sans message ISO 20022');
  });
});

describe('amounts and reasons', () => {
  it('reads amounts exactly into cents', () => {
    expect(['0.01', '12.3', '12', '1234.56', '999999999.99', '12.345', '-1.00', '1e3', '', null].map(parseSepaAmount)).toEqual([
      1n,
      1230n,
      1200n,
      123456n,
      99999999999n,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('labels the usual reasons in French and keeps unknown codes', () => {
    expect(
      ['AC01', 'AC04', 'AC06', 'AG01', 'AM04', 'BE04', 'MD07', 'MS02', 'MS03', 'RC01', 'RR01', 'RR04', 'FF01', 'DUPL', 'XX42'].map(
        motifLibelle,
      ),
    ).toEqual([
      'Numéro de compte incorrect',
      'Compte clos',
      'Compte bloqué',
      'Opération interdite sur ce compte',
      'Provision insuffisante',
      'Adresse du bénéficiaire absente ou incorrecte',
      'Titulaire décédé',
      'Refus du bénéficiaire, motif non communiqué',
      'Refus de la banque, motif non communiqué',
      'BIC incorrect',
      'Compte ou identification du donneur d’ordre manquant',
      'Motif réglementaire',
      'Format de fichier ou d’opération invalide',
      'Virement en double',
      'Motif bancaire XX42',
    ]);
  });
});

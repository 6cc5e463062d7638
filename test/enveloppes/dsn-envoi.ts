/**
 * DSN envois for the tests of the envelope files (the S21.G00.82 blocks that src/modules/enveloppes/dsn-file.ts
 * reads): the émetteur's header, one declaration per établissement, its cotisation blocks, the end block.
 */

/** The tiers-déclarant who files the envois (émetteur, S10.G00.01) and the Urssaf of their blocks (valid SIRETs). */
export const CABINET = '44306184100047';
export const URSSAF_IDF = '78861779300013';

/** The lines of an envoi: the header, the declarations, and the end block unless `end` is false (a cut file). */
export function envoiLines(opts: { essai?: string; pointDepot?: string; declarations: string[][]; end?: boolean }): string[] {
  const head = [
    `S10.G00.00.001,'PAIE EXPRESS'`,
    `S10.G00.00.002,'LOGICIELS DU NORD'`,
    `S10.G00.00.003,'12.4'`,
    `S10.G00.00.005,'${opts.essai ?? '02'}'`,
    `S10.G00.00.006,'P24V01'`,
    `S10.G00.00.007,'${opts.pointDepot ?? '01'}'`,
    `S10.G00.00.008,'01'`,
    `S10.G00.01.001,'${CABINET.slice(0, 9)}'`,
    `S10.G00.01.002,'${CABINET.slice(9)}'`,
    `S10.G00.01.003,'CABINET DUPRÉ & ASSOCIÉS'`,
    `S10.G00.01.004,'12 RUE D'ALSACE'`,
    `S10.G00.01.005,'75010'`,
    `S10.G00.01.006,'PARIS'`,
    `S10.G00.02.001,'02'`,
    `S10.G00.02.002,'MARTIN CLAIRE'`,
    `S10.G00.02.004,'paie@cabinet-dupre.example'`,
  ];
  const body = opts.declarations.flat();
  if (opts.end === false) return [...head, ...body];
  const total = head.length + body.length + 2;
  return [...head, ...body, `S90.G00.90.001,'${total}'`, `S90.G00.90.002,'${opts.declarations.length}'`];
}

/** An envoi as the file's text (LF, a final break). */
export const dsnEnvoi = (opts: { essai?: string; pointDepot?: string; declarations: string[][] }): string =>
  envoiLines(opts).join('\n') + '\n';

/** One declaration (S20, S21.G00.06/11/22) of the établissement `siret`, then its cotisation blocks. */
export function declaration(o: {
  siret: string;
  type?: string;
  nature?: string;
  dateFichier: string;
  blocks: string[][];
  champ?: string;
}): string[] {
  return [
    `S20.G00.05.001,'${o.nature ?? '01'}'`,
    `S20.G00.05.002,'${o.type ?? '01'}'`,
    `S20.G00.05.003,'11'`,
    `S20.G00.05.004,'1'`,
    `S20.G00.05.005,'01042025'`,
    `S20.G00.05.007,'${o.dateFichier}'`,
    `S20.G00.05.008,'${o.champ ?? '01'}'`,
    `S20.G00.05.010,'01'`,
    `S21.G00.06.001,'${o.siret.slice(0, 9)}'`,
    `S21.G00.06.002,'${o.siret.slice(9)}'`,
    `S21.G00.06.003,'1051A'`,
    `S21.G00.06.004,'17 BOULEVARD HAUSSMANN'`,
    `S21.G00.11.001,'${o.siret.slice(9)}'`,
    `S21.G00.11.002,'1051A'`,
    `S21.G00.11.008,'120'`,
    `S21.G00.22.001,'${URSSAF_IDF}'`,
    ...o.blocks.flat(),
  ];
}

/** A cotisation block (S21.G00.82): its amount, its code, the organisme (none when empty) and its period. */
export const block = (valeur: string, code: string, ref = URSSAF_IDF, debut = '01012024', fin = '31122024') => [
  `S21.G00.82.001,'${valeur}'`,
  `S21.G00.82.002,'${code}'`,
  `S21.G00.82.003,'${debut}'`,
  `S21.G00.82.004,'${fin}'`,
  ...(ref ? [`S21.G00.82.005,'${ref}'`] : []),
];

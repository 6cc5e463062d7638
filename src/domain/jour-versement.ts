/**
 * The day a transfer is paid, as the establishment and the employer read it (« Versé le … »,
 * docs/regles.md#suivi-des-versements): the wave's requested execution day (the arrêté's payment date,
 * D. 6241-27), or the day its SEPA file was issued when that came later (the bank executes a file on
 * the day it receives it at the earliest). Pure.
 */
import { parisDayOf, type Jour } from './jours.js';

export function jourDeVersement(dateExecution: Jour, emiseLe: Date): Jour {
  const issued = parisDayOf(emiseLe);
  return issued > dateExecution ? issued : dateExecution;
}

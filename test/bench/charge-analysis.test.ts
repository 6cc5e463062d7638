/**
 * The closing-day rush's verdicts (bench/charge-analysis.ts), on records made by hand: which failures
 * are allowed (in flight on the killed instance during the kill window) and which are errors; which
 * final states are lost updates; which sessions survived their instance. Pure: no server, no database.
 */
import { describe, expect, it } from 'vitest';
import { checkUpdates, phaseFigures, sessionsAcrossKill, type Kill } from '../../bench/charge-analysis.js';
import type { FinalState } from '../../bench/charge-setup.js';
import type { ChargeEmployerResult, ChargeRecord, ChargeResult } from '../../bench/protocol.js';

const T0 = 1_000_000;
const kill: Kill = { at: T0 + 30_000, server: 'b', downAt: T0 + 31_500 };

function employer(siret: string, extra: Partial<ChargeEmployerResult> = {}): ChargeEmployerResult {
  return { siret, lastAck: null, inDoubt: false, staleReads: 0, sessionLost: 0, conflicts: 0, refusals: 0, ...extra };
}

function result(records: ChargeRecord[], employers: ChargeEmployerResult[] = []): ChargeResult {
  return { records, employers, startedAt: T0, endedAt: T0 + 60_000, cpuMs: 0 };
}

const rec = (action: string, start: number, end: number, status: number, server: string, employerIndex = 0): ChargeRecord => [
  action,
  T0 + start,
  T0 + end,
  status,
  server,
  status === 0 ? 'socket hang up' : '',
  employerIndex,
];

describe('the rush: failures during the kill', () => {
  it('allows the failures in flight on the killed instance during the kill window, and no other', () => {
    const f = phaseFigures(
      'two instances',
      result([
        rec('synthèse', 1_000, 1_050, 200, 'a'),
        // sent before the kill, cut by it: allowed
        rec('attribuer', 29_990, 30_010, 0, ''),
        rec('valider', 29_900, 30_100, 502, 'b'),
        // sent after the kill, before HAProxy took b out: allowed
        rec('valider', 30_500, 30_600, 502, 'b'),
        // the surviving instance failing, a failure long after the window, one long before: errors
        rec('attribuer', 29_990, 30_100, 500, 'a'),
        rec('synthèse', 40_000, 40_010, 502, 'b'),
        rec('synthèse', 10_000, 10_010, 0, ''),
      ]),
      kill,
    );
    expect(f.inFlightAtKill.map((x) => [x.action, x.status])).toEqual([
      ['attribuer', 0],
      ['valider', 502],
      ['valider', 502],
    ]);
    expect(f.failures.map((x) => [x.action, x.status, x.server])).toEqual([
      ['attribuer', 500, 'a'],
      ['synthèse', 502, 'b'],
      ['synthèse', 0, ''],
    ]);
    const attribuer = f.actions.find((a) => a.action === 'attribuer')!;
    expect(attribuer).toMatchObject({ answered: 0, failures: 1 });
    expect(f.actions.find((a) => a.action === 'synthèse')).toMatchObject({ answered: 1, failures: 2 });
    expect(f.statuses).toEqual({ '200': 1, '500': 1, '502': 3, 'no answer': 2 });
  });

  it('without a kill (the baseline), every failure is an error', () => {
    const f = phaseFigures('one instance', result([rec('attribuer', 29_990, 30_010, 0, '')]));
    expect(f.inFlightAtKill).toEqual([]);
    expect(f.failures).toHaveLength(1);
  });
});

describe('the rush: lost updates', () => {
  const ack = (version: number, lines: string[]) => ({ version, lines, at: T0 });
  const final = (version: number, lines: string[]): FinalState => ({ version, lines });

  it('the database must hold the last acknowledged write, the later phase first', () => {
    const baseline = result(
      [],
      [employer('A', { lastAck: ack(3, ['1::500:validee']) }), employer('B', { lastAck: ack(2, ['7::100:validee']) })],
    );
    const cluster = result([], [employer('A', { lastAck: ack(5, ['1::500:validee', '2::300:validee']) }), employer('B')]);
    const finals = new Map([
      ['A', final(5, ['1::500:validee', '2::300:validee'])],
      // B wrote nothing in the later phase: its baseline write is the last acknowledged one
      ['B', final(2, ['7::100:validee'])],
    ]);
    expect(checkUpdates([baseline, cluster], finals)).toMatchObject({ employers: 2, withWrites: 2, equal: 2, inDoubtApplied: 0, lost: [] });
  });

  it('an older or a different state is a lost update; a later one only when a write went unanswered', () => {
    const phase = result(
      [],
      [
        employer('OLD', { lastAck: ack(4, ['1::500:validee']) }),
        employer('DIFF', { lastAck: ack(4, ['1::500:validee']) }),
        employer('LATER', { lastAck: ack(4, ['1::500:validee']), inDoubt: true }),
        employer('UNEXPLAINED', { lastAck: ack(4, ['1::500:validee']) }),
        employer('NONE'),
      ],
    );
    const finals = new Map([
      ['OLD', final(3, ['1::400:validee'])],
      ['DIFF', final(4, ['1::400:validee'])],
      ['LATER', final(5, ['1::500:validee', '9::100:enregistree'])],
      ['UNEXPLAINED', final(5, ['1::500:validee', '9::100:enregistree'])],
      ['NONE', final(0, [])],
    ]);
    const c = checkUpdates([phase], finals);
    expect(c).toMatchObject({ employers: 5, withWrites: 4, equal: 1, inDoubtApplied: 1 });
    expect(c.lost.map((l) => l.siret)).toEqual(['OLD', 'DIFF', 'UNEXPLAINED']);
  });
});

describe('the rush: sessions across the kill', () => {
  it('counts the sessions opened by the killed instance that kept working on the other one', () => {
    const r = result([
      // employer 0: logged in on b, then signed-in requests after the window answered by a
      rec('connexion', 1_000, 1_200, 200, 'b', 0),
      rec('synthèse', 40_000, 40_050, 200, 'a', 0),
      // employer 1: logged in on b, then answered as signed out after the kill (a lost session)
      rec('connexion', 2_000, 2_200, 200, 'b', 1),
      rec('synthèse', 41_000, 41_010, 303, 'a', 1),
      // employer 2: logged in on a, used after the kill
      rec('connexion', 3_000, 3_200, 200, 'a', 2),
      rec('recherche', 42_000, 42_050, 200, 'a', 2),
      // employer 3: logged in again after the kill: its old session is not used after it
      rec('connexion', 4_000, 4_200, 200, 'b', 3),
      rec('connexion', 35_000, 35_200, 200, 'a', 3),
      rec('synthèse', 43_000, 43_050, 200, 'a', 3),
    ]);
    expect(sessionsAcrossKill(r, kill)).toEqual({ spanning: 3, openedOnKilled: 2, kept: 1 });
  });
});

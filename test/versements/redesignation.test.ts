/**
 * The employer's side of unpayable shares (D. 6241-27-1, docs/regles.md#fonds-non-versables): the
 * Synthèse shows « Non versable » with the reason; a line already paid can be neither changed nor
 * removed (and a line a wave names cannot be removed); « Redésigner » gives the share to another
 * habilitated establishment — another company's share is not found, a target already chosen or
 * unknown is refused — and the next wave pays it there; after the campaign's deadline it is refused
 * and the share stays for the reliquat.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { changeChoices, type Actor } from '../../src/modules/attributions/choix.js';
import { redesignateShare } from '../../src/modules/attributions/redesignation.js';
import { loadRedesignation } from '../../src/modules/attributions/redesignation-view.js';
import { loadSynthese } from '../../src/modules/attributions/synthese.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { importRetours } from '../../src/modules/versements/retours.js';
import { approveWave, issueWave } from '../../src/modules/versements/vagues.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { fixture } from './helpers.js';
import { addAdministrator, ANNEE, RETOURS_SPEC, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World } from './world.js';

let p: PaymentsContext;
let w: World;
let actor0: Actor;
let actor1: Actor;
/** the shares of wave 1 by line index of RETOURS_SPEC */
const share: Record<number, number> = {};

async function actorOf(siret: string, email: string): Promise<Actor> {
  const userId = await addAdministrator(p.ctx.db, siret, email);
  const [u] = await selectRows<{ espace: string }>(p.ctx.db, sql`select espace_id::text as espace from users where id = ${userId}::uuid`);
  return { userId, espaceId: u!.espace };
}

async function runWave(numero: number) {
  const r = await prepareWave(p.ctx, w.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  await approveWave(p.ctx, w.valideur, r.vagueId);
  const i = await issueWave(p.ctx, w.gestionnaire, r.vagueId);
  if (!i.ok) throw new Error(i.problem.message);
  return r.vagueId;
}

/** A French message with ordinary spaces (format.ts writes narrow no-break spaces in « 50 % »). */
const plain = (m: string) => m.replace(/[\u00a0\u202f]/g, ' ');

const linesOf = (siret: string) =>
  selectRows<{ id: string; etab: string; bp: number }>(
    p.ctx.db,
    sql`select id::text, etablissement_id::text as etab, points_base as bp from attributions where siret_employeur = ${siret} order by id`,
  );

beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  w = await seedWorld(p.ctx.db, RETOURS_SPEC);
  actor0 = await actorOf(w.employeurSirets[0]!, 'employeur0@example.test');
  actor1 = await actorOf(w.employeurSirets[1]!, 'employeur1@example.test');
  await runWave(1);
  const r = await importRetours(p.ctx, [{ nom: 'retours-pain002-rejet.xml', contenu: fixture('retours-pain002-rejet.xml') }]);
  if (!r.ok) throw new Error(r.problem.message);
  const rows = await selectRows<{ id: string; ligne: string }>(
    p.ctx.db,
    sql`select id::text, attribution_id::text as ligne from non_versables`,
  );
  for (const x of rows) share[w.ligneIds.indexOf(Number(x.ligne))] = Number(x.id);
  p.clock.set(new Date('2025-07-20T08:00:00Z')); // period 2 is open
}, 60_000);
afterAll(() => p?.drop());

describe('the Synthèse', () => {
  it('shows « Non versable » with its reason on each unpayable line, and the deadline', async () => {
    const s = await loadSynthese(p.ctx.db, p.clock.now(), ANNEE, w.employeurSirets[0]!);
    expect(s.lines.map((l) => l.nonVersable)).toEqual([
      null,
      { id: share[1], montantCents: 30_000n, motif: 'rejet bancaire (AC04 — Compte clos)' },
      { id: share[2], montantCents: 20_000n, motif: 'l’établissement n’a pas déclaré de coordonnées bancaires' },
    ]);
    expect(s.redesignation).toEqual({ fin: '2025-11-26', ouverte: true });
  });
});

describe('a line already paid', () => {
  const change = (kind: 'modifier' | 'supprimer', ligne: number) =>
    changeChoices(p.ctx, {
      annee: ANNEE,
      siret: w.employeurSirets[0]!,
      actor: actor0,
      expectedVersion: null,
      change: kind === 'modifier' ? { kind, id: w.ligneIds[ligne]!, bp: 4000 } : { kind, id: w.ligneIds[ligne]! },
    });

  it('can be neither changed nor removed; a line a wave names cannot be removed; nothing changes', async () => {
    const before = await linesOf(w.employeurSirets[0]!);
    const modified = await change('modifier', 0);
    expect(modified.ok || [modified.problem.code, plain(modified.problem.message)]).toEqual([
      'attribution_versee',
      '« ETABLISSEMENT 0 » a déjà reçu le versement de 50 % de vos crédits : ce pourcentage ne peut plus être modifié.',
    ]);
    const removed = await change('supprimer', 0);
    expect(removed.ok || plain(removed.problem.message)).toBe(
      '« ETABLISSEMENT 0 » a déjà reçu le versement de 50 % de vos crédits : cette attribution ne peut plus être supprimée.',
    );
    const returned = await change('supprimer', 1);
    expect(returned.ok || [returned.problem.code, returned.problem.message]).toEqual([
      'ligne_en_versement',
      'L’attribution à « ETABLISSEMENT 1 » figure dans la vague de versement n° 1 : elle ne peut plus être supprimée. Si elle n’a pas pu être versée, attribuez-la à un autre établissement avec « Redésigner ».',
    ]);
    expect(await linesOf(w.employeurSirets[0]!)).toEqual(before);
  });
});

describe('« Redésigner »', () => {
  const redesignate = (actor: Actor, siret: string, id: number, nouveauSiret: string) =>
    redesignateShare(p.ctx, { annee: ANNEE, siret, actor, nonVersableId: id, nouveauSiret, expectedVersion: null });

  it('does not find another company’s share (404), nor shows it', async () => {
    const r = await redesignate(actor0, w.employeurSirets[0]!, share[3]!, w.etablissementSirets[4]!);
    expect(r.ok || [r.problem.kind, r.problem.code]).toEqual(['not_found', 'non_versable_introuvable']);
    expect(await loadRedesignation(p.ctx.db, p.clock.now(), ANNEE, w.employeurSirets[0]!, share[3]!, '')).toBeNull();
  });

  it('refuses an establishment that is not habilitated, or one the employer already chose', async () => {
    const unknown = await redesignate(actor0, w.employeurSirets[0]!, share[1]!, '12345678901234');
    expect(unknown.ok || unknown.problem.message).toBe(
      'Aucun établissement habilité pour la campagne 2025 ne porte le SIRET 12345678901234 : choisissez un établissement dans la recherche.',
    );
    const taken = await redesignate(actor0, w.employeurSirets[0]!, share[1]!, w.etablissementSirets[0]!);
    expect(taken.ok || taken.problem.message).toBe(
      'Vous attribuez déjà une part de vos fonds à « ETABLISSEMENT 0 » : choisissez un autre établissement.',
    );
  });

  it('moves the line to the establishment chosen, audited; the share is « redesignee »; the next wave pays it there', async () => {
    const r = await redesignate(actor0, w.employeurSirets[0]!, share[1]!, w.etablissementSirets[4]!);
    expect(r).toEqual({ ok: true, ligneId: w.ligneIds[1], version: 1 });
    const lines = await linesOf(w.employeurSirets[0]!);
    expect(lines.map((l) => [Number(l.etab), l.bp])).toEqual([
      [w.etablissementIds[0], 5000],
      [w.etablissementIds[4], 3000],
      [w.etablissementIds[3], 2000],
    ]);
    const [nv] = await selectRows<{ statut: string; par: string }>(
      p.ctx.db,
      sql`select statut, decide_par::text as par from non_versables where id = ${share[1]!}`,
    );
    expect(nv).toEqual({ statut: 'redesignee', par: actor0.userId });
    const [a] = await selectRows<{ details: Record<string, unknown> }>(
      p.ctx.db,
      sql`select details from audit_events where action = 'non_versable.redesigne'`,
    );
    expect(a!.details).toMatchObject({ ligneId: w.ligneIds[1], montantCents: '30000', ancien: 'ETABLISSEMENT 1' });
    const s = await loadSynthese(p.ctx.db, p.clock.now(), ANNEE, w.employeurSirets[0]!);
    expect(s.lines[1]!.nonVersable).toBeNull();

    p.clock.set(WAVE_2_DAY);
    const vague2 = await runWave(2);
    const t = await selectRows<{ siret: string; cents: string }>(
      p.ctx.db,
      sql`select beneficiaire_siret as siret, montant_cents::text as cents from virements where vague_id = ${vague2} order by numero`,
    );
    // establishment 4 receives the re-designated share; establishment 1 (details rejected, unchanged) nothing
    expect(t).toEqual([{ siret: w.etablissementSirets[4], cents: '30000' }]);
  });

  it('after the deadline, refuses with a French message and changes nothing: the share stays for the reliquat', async () => {
    p.clock.set(new Date('2025-11-26T23:00:00Z')); // 27 November 00:00 Paris
    const [pending] = await selectRows<{ id: string }>(
      p.ctx.db,
      sql`select id::text from non_versables where statut = 'en_attente' and siret_employeur = ${w.employeurSirets[1]!}`,
    );
    const before = await linesOf(w.employeurSirets[1]!);
    const r = await redesignate(actor1, w.employeurSirets[1]!, Number(pending!.id), w.etablissementSirets[4]!);
    expect(r.ok || [r.problem.code, r.problem.message]).toEqual([
      'redesignation_close',
      'Le délai pour attribuer une part non versable à un autre établissement a pris fin le 26 novembre 2025 : cette part rejoint les fonds non affectés (article D. 6241-27-1 du code du travail).',
    ]);
    expect(await linesOf(w.employeurSirets[1]!)).toEqual(before);
    const s = await loadSynthese(p.ctx.db, p.clock.now(), ANNEE, w.employeurSirets[1]!);
    expect(s.redesignation.ouverte).toBe(false);
  });
});

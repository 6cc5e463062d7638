/**
 * `applyChange` (apply-change.ts), the pure step of every change of an employer's choices, over any sequence
 * of changes: one line per target, ids kept in order, only what changed loses its validation,
 * « Enregistrer vos attributions » validates everything, and nothing else moves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChange, type ChoiceChange } from './apply-change.js';

type Line = Parameters<typeof applyChange>[0][number];
const target = fc.record({
  etablissementId: fc.integer({ min: 1, max: 4 }),
  formationId: fc.option(fc.integer({ min: 10, max: 12 }), { nil: null }),
});
const share = fc.record({ target, bp: fc.integer({ min: 1, max: 10_000 }) });
const change: fc.Arbitrary<ChoiceChange | { kind: 'modifier' | 'supprimer'; pick: number; bp: number }> = fc.oneof(
  fc.record({
    kind: fc.constant('ajouter' as const),
    items: fc.array(share, { maxLength: 3 }),
    retirer: fc.array(target, { maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('completer' as const), items: fc.array(share, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    kind: fc.constant('remplacer' as const),
    items: fc.uniqueArray(share, { maxLength: 4, selector: (s) => `${s.target.etablissementId}:${s.target.formationId}` }),
    valider: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('valider' as const) }),
  fc.record({ kind: fc.constantFrom('modifier' as const, 'supprimer' as const), pick: fc.nat(5), bp: fc.integer({ min: 1, max: 10_000 }) }),
);
const key = (l: { etablissementId: number; formationId: number | null }) => `${l.etablissementId}:${l.formationId ?? 0}`;

describe('applyChange over any sequence of changes', () => {
  it('keeps one line per target, keeps validation of untouched lines, validates all on « valider »', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), (changes) => {
        let lines: Line[] = [];
        let nextId = 1;
        for (const raw of changes) {
          const c: ChoiceChange =
            raw.kind === 'modifier' || raw.kind === 'supprimer'
              ? 'pick' in raw
                ? raw.kind === 'modifier'
                  ? { kind: 'modifier', id: lines[raw.pick % Math.max(lines.length, 1)]?.id ?? 999, bp: raw.bp }
                  : { kind: 'supprimer', id: lines[raw.pick % Math.max(lines.length, 1)]?.id ?? 999 }
                : raw
              : (raw as ChoiceChange);
          const r = applyChange(lines, c);
          if (!r.ok) {
            // only these refusals exist: nothing chosen, or a line that is not there
            expect(['aucun_choix', 'ligne_introuvable']).toContain(r.errors[0]!.code);
            continue;
          }
          // one line per target
          expect(new Set(r.lines.map(key)).size).toBe(r.lines.length);
          const before = new Map(lines.map((l) => [key(l), l]));
          if (c.kind === 'valider') expect(r.lines.every((l) => l.statut === 'validee')).toBe(true);
          for (const l of r.lines) {
            const old = before.get(key(l));
            // a line whose share changed is no longer validated, unless the change validates
            if (old && old.pointsBase !== l.bp && !(c.kind === 'valider' || (c.kind === 'remplacer' && c.valider)))
              expect(l.statut).toBe('enregistree');
            // a line left as it was keeps its status
            if (old && old.pointsBase === l.bp && c.kind !== 'valider' && !(c.kind === 'remplacer' && c.valider))
              expect(l.statut).toBe(old.statut === 'validee' ? 'validee' : 'enregistree');
          }
          // existing lines keep their relative order (their ids); new ones come after
          const kept = r.lines.filter((l) => before.has(key(l))).map((l) => before.get(key(l))!.id);
          expect(kept).toEqual([...kept].sort((a, b) => a - b));
          // the database would now hold: same ids for kept lines, new ids for the others
          lines = r.lines.map((l) => {
            const old = before.get(key(l));
            return {
              id: old?.id ?? nextId++,
              etablissementId: l.etablissementId,
              formationId: l.formationId,
              pointsBase: l.bp,
              statut: l.statut,
              valideeLe: null,
            };
          });
          lines.sort((a, b) => a.id - b.id);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('modifier and supprimer touch only their line', () => {
    const lines: Line[] = [
      { id: 1, etablissementId: 1, formationId: null, pointsBase: 1000, statut: 'validee', valideeLe: null },
      { id: 2, etablissementId: 1, formationId: 10, pointsBase: 2000, statut: 'validee', valideeLe: null },
    ];
    const m = applyChange(lines, { kind: 'modifier', id: 2, bp: 2500 });
    expect(m.ok && m.lines).toEqual([
      { etablissementId: 1, formationId: null, bp: 1000, statut: 'validee' },
      { etablissementId: 1, formationId: 10, bp: 2500, statut: 'enregistree' },
    ]);
    const d = applyChange(lines, { kind: 'supprimer', id: 1 });
    expect(d.ok && d.lines).toEqual([{ etablissementId: 1, formationId: 10, bp: 2000, statut: 'validee' }]);
    expect(applyChange(lines, { kind: 'supprimer', id: 3 }).ok).toBe(false);
  });
});

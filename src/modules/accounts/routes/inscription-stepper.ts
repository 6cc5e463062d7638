/** The stepper of the inscription's pages: the steps this person walks (inscription-path.ts) and where they stand. */
import type { StepperView } from '../../../web/pages/inscription-frame.js';
import type { Draft, DraftData } from '../inscription.js';
import { stepperOf, type StepperItem } from '../inscription-path.js';

/** The stepper of a page: the steps this person walks (inscription-path.ts) and where they stand. */
export function stepperView(at: StepperItem | 'declarations', data?: Pick<DraftData, 'kind'>): StepperView {
  return { items: stepperOf(data?.kind), at: at === 'declarations' ? 'profil' : at, tiers: data?.kind === 'tiers_declarant' };
}

/** A step page's stepper, from its draft. */
export const stepperOfDraft = (draft: Draft) => stepperView(draft.step === 'done' ? 'confirmation' : draft.step, draft.data);

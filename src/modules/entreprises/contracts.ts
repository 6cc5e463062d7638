/** Contracts of the company registry's public look-up (module entreprises). */
import { z } from 'zod';
import { siretField } from '../../shared/fields.js';

export const registreParams = z.object({ siret: siretField });

/** What the look-up tells of an establishment (SIRENE data is public). */
export const registreResponse = z
  .object({
    siret: z.string(),
    siren: z.string(),
    raisonSociale: z.string(),
    denomination: z.string(),
    actif: z.boolean(),
    siege: z.boolean(),
  })
  .loose();

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseSiret } from '../../domain/identifiers.js';
import { findEtablissement } from './registry-repository.js';

/** Public registry look-up (SIRENE data is public): used by the live check of the inscription form. */
export async function registryRoutes(app: FastifyInstance) {
  const params = z.object({ siret: z.string().max(30) });
  app.get(
    '/api/registre/etablissements/:siret',
    {
      schema: {
        summary: 'Établissement du répertoire des entreprises (SIRENE)',
        tags: ['Répertoire'],
        params,
        response: {
          200: z.object({
            siret: z.string(),
            siren: z.string(),
            raisonSociale: z.string(),
            denomination: z.string(),
            actif: z.boolean(),
            siege: z.boolean(),
          }),
          400: z.object({ message: z.string() }),
          404: z.object({ message: z.string() }),
        },
      },
    },
    async (req, reply) => {
      const r = parseSiret((req.params as { siret: string }).siret);
      if (!r.ok) return reply.code(400).send({ message: r.message });
      const e = await findEtablissement(app.ctx.db, r.value);
      if (!e) return reply.code(404).send({ message: 'Ce numéro SIRET est inconnu du répertoire des entreprises (SIRENE).' });
      return {
        siret: e.siret,
        siren: e.siren,
        raisonSociale: e.entreprise.raisonSociale,
        denomination: e.denomination,
        actif: e.etatAdministratif === 'A' && e.entreprise.etatAdministratif === 'A',
        siege: e.estSiege,
      };
    },
  );
}

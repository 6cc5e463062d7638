/** SOLTéA establishment space (users habilitated to « SOLTéA – Etablissements »). */
import type { FastifyInstance } from 'fastify';

export async function espaceEtablissementRoutes(_app: FastifyInstance): Promise<void> {}

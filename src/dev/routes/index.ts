/**
 * Development only: registered by src/app.ts when `config.devTools` (DEV_TOOLS=1, outside production,
 * on a loopback HOST — never reachable from another machine): the mail outbox readable in the browser, so a person trying the demo can follow
 * validation and reset links, and the demo clock (`/dev/horloge`), which moves the application's instant
 * to any phase of a campaign.
 */
import type { FastifyInstance } from 'fastify';
import { boiteMailRoutes } from './boite-mail.js';
import { horlogeRoutes } from './horloge.js';

export async function devRoutes(app: FastifyInstance) {
  await app.register(boiteMailRoutes);
  await app.register(horlogeRoutes);
}

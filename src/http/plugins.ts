/**
 * A family of route plugins registered as one, in the given order (each keeps its own encapsulation:
 * body parsers, hooks). The modules' `routes/index.ts` files say their screen families with it.
 */
import type { FastifyPluginAsync } from 'fastify';

export function routeFamily(...plugins: FastifyPluginAsync[]): FastifyPluginAsync {
  return async (app) => {
    for (const plugin of plugins) await app.register(plugin);
  };
}

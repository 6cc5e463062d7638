/**
 * Development only: registered by src/app.ts when `config.devTools` (DEV_TOOLS=1, outside production,
 * on a loopback HOST — never reachable from another machine): the mail outbox readable in the browser, so a person trying the demo can follow
 * validation and reset links, and the demo clock (`/dev/horloge`), which moves the application's instant
 * to any phase of a campaign, and the demo agents' current second-factor codes.
 */
import { routeFamily } from '../../http/plugins.js';
import { boiteMailRoutes } from './boite-mail.js';
import { codesOperateurRoutes } from './codes-operateur.js';
import { horlogeRoutes } from './horloge.js';

export const devRoutes = routeFamily(boiteMailRoutes, horlogeRoutes, codesOperateurRoutes);

import type { Config } from './infra/config.js';
import type { Clock } from './infra/clock.js';
import type { Db } from './infra/db/index.js';
import type { MailDeliverer } from './infra/mail.js';

/** What every use case may need, passed in explicitly (no module-level singletons). */
export interface AppContext {
  db: Db;
  dbKind: 'postgres' | 'pglite';
  config: Config;
  clock: Clock;
  mail: MailDeliverer;
}

/**
 * A child process of test/faults/smtp-down.test.ts: an instance's mail deliverer alone — it opens the
 * database of DATABASE_URL, sends every due mail of the outbox to SMTP_URL (src/infra/mail.ts), and
 * exits. The test kills it with SIGKILL while it sends.
 */
import { systemClock } from '../../../src/infra/clock.js';
import { openDatabase } from '../../../src/infra/db/index.js';
import { createMailDeliverer } from '../../../src/infra/mail.js';

const database = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 2 });
const mail = createMailDeliverer(
  database.db,
  systemClock,
  process.env.SMTP_URL,
  'net-entreprises <ne-pas-repondre@net-entreprises.localhost>',
);
console.log(`ENVOI`);
const sent = await mail.flush();
console.log(`FAIT ${sent}`);
await mail.stop();
await database.close();

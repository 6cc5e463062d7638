/**
 * A local SMTP server the fault tests can stop and start again on the same port, make slow, or make
 * refuse some recipients for good (550), counting every message it accepted.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { ReceivedMail } from '../harness.js';
import { sleep } from './processes.js';

export interface TestSmtp {
  /** the port, fixed at the first start */
  port: number;
  url(): string;
  /** every message accepted, in order */
  received: ReceivedMail[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function testSmtp(opts: { delayMs?: number; refuse?: (to: string) => boolean } = {}): TestSmtp {
  let server: SMTPServer | null = null;
  const smtp: TestSmtp = {
    port: 0,
    url: () => `smtp://127.0.0.1:${smtp.port}`,
    received: [],
    async start() {
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onRcptTo(address, _session, cb) {
          if (opts.refuse?.(address.address)) return cb(Object.assign(new Error('Boîte aux lettres inconnue'), { responseCode: 550 }));
          cb();
        },
        onData(stream, session, cb) {
          simpleParser(stream)
            .then(async (m) => {
              if (opts.delayMs) await sleep(opts.delayMs);
              smtp.received.push({
                to: session.envelope.rcptTo.map((r) => r.address).join(','),
                subject: m.subject ?? '',
                text: m.text ?? '',
              });
              cb();
            })
            .catch(cb);
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(smtp.port, '127.0.0.1', resolve);
      });
      smtp.port = (s.server.address() as AddressInfo).port;
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  return smtp;
}

/** How many messages each recipient received. */
export function perRecipient(received: readonly ReceivedMail[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const m of received) n.set(m.to, (n.get(m.to) ?? 0) + 1);
  return n;
}

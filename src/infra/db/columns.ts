/** Column builders every schema file uses: instants with their time zone, money as bigint cents. */
import { bigint, timestamp } from 'drizzle-orm/pg-core';

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const cents = (name: string) => bigint(name, { mode: 'bigint' });

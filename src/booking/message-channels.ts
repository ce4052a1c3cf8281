/** Message channels for the outbox sender. The default appends one JSON line per message to a file. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { MessageChannel } from './outbox.sender.ts';

export function fileChannel(path: string): MessageChannel {
  let ready: Promise<unknown> | undefined;
  return {
    async send(m) {
      ready ??= mkdir(dirname(path), { recursive: true });
      await ready;
      await appendFile(path, `${JSON.stringify({ outboxId: m.id, kind: m.kind, to: m.payload.to, text: m.payload.text })}\n`);
    },
  };
}

/** Logs that a message went out, without its recipient's phone number. */
export function logChannel(log: Logger): MessageChannel {
  return {
    async send(m) {
      log.info({ outboxId: m.id, kind: m.kind, bookingNumber: m.payload.bookingNumber }, 'confirmation sent');
    },
  };
}

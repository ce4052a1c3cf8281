/** Message channels for the outbox sender. The default appends one JSON line per message to a file. */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { ChannelMessage, MessageChannel } from './outbox.sender.ts';

export function fileChannel(path: string): MessageChannel {
  // Opened once for appending (not opened and closed per message: that showed in the booking profile).
  let handle: Promise<FileHandle> | undefined;
  const lineOf = (m: ChannelMessage) =>
    `${JSON.stringify({ outboxId: m.id, kind: m.kind, to: m.payload.to, text: m.payload.text })}\n`;
  const append = async (text: string) => {
    // A failed open is not kept: the sender's retry opens again.
    handle ??= mkdir(dirname(path), { recursive: true })
      .then(() => open(path, 'a'))
      .catch((e) => {
        handle = undefined;
        throw e;
      });
    await (await handle).write(text);
  };
  return {
    send: (m) => append(lineOf(m)),
    // One append for a mark window of messages: one write per message was ~70 us of a booking's
    // service CPU in the bench's profile (issue 13).
    sendMany: (ms) => append(ms.map(lineOf).join('')),
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

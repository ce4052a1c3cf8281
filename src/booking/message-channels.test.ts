import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileChannel } from './message-channels.ts';

const message = (id: number) => ({
  id,
  kind: 'booking-confirmed',
  payload: { to: `010-0000-000${id}`, bookingNumber: `BN-${id}`, text: { ko: `예약 ${id}`, en: `booking ${id}` } },
});

describe('fileChannel', () => {
  it('appends one JSON line per message, also when it takes several at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yeyak-channel-'));
    try {
      const path = join(dir, 'out', 'messages.jsonl');
      const channel = fileChannel(path);
      await channel.send(message(1));
      await channel.sendMany!([message(2), message(3)]);
      const lines = readFileSync(path, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { outboxId: number; to: string });
      assert.deepEqual(
        lines.map((l) => [l.outboxId, l.to]),
        [
          [1, '010-0000-0001'],
          [2, '010-0000-0002'],
          [3, '010-0000-0003'],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

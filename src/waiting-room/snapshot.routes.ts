/**
 * `GET /api/campaigns/:campaignId/queue/snapshot`: the public queue snapshot (snapshot.schemas.ts).
 * No session, no cookie, no rate limit, no store call: the answer is this process's in-memory
 * snapshot, serialized once per refresh. `Cache-Control: public, max-age=1` lets an edge answer
 * everyone from one origin request per second (deploy/nginx/); `stale-while-revalidate` and
 * `stale-if-error` let it keep answering while it refreshes or while the origin is down, which
 * costs a waiting person nothing: their place is in their ticket, not in this document.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../platform/http/errors.ts';
import type { AdmissionLoop } from './admission-loop.ts';
import { createSnapshotCache } from './public-snapshot.ts';
import { defaultWaitingRoomSettings } from './room.ts';
import { QueueSnapshotSchema } from './snapshot.schemas.ts';

export const SNAPSHOT_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=5, stale-if-error=60';

const CampaignParams = Type.Object({ campaignId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });
const Problem = Type.Object({ code: Type.String(), status: Type.Integer() }, { additionalProperties: true });

export function snapshotRoutes(waitingRoom: Pick<AdmissionLoop, 'roomStatus'>) {
  const settings = defaultWaitingRoomSettings;
  const cache = createSnapshotCache(
    (id) => waitingRoom.roomStatus(id),
    {
      minPollMs: settings.minPollMs,
      maxPollMs: settings.maxPollMs,
      pollFraction: settings.pollFraction,
    },
    settings.admissionTtlMs,
  );
  return async (app: FastifyInstance) => {
    // Plain (untyped) reply: the body is pre-serialized bytes, which the type provider cannot express.
    app.get<{ Params: Static<typeof CampaignParams> }>(
      '/api/campaigns/:campaignId/queue/snapshot',
      {
        schema: {
          tags: ['waiting-room'],
          summary:
            'The public queue snapshot: cursor, tail, rate band per partition (cacheable, the same for everyone)',
          description:
            "No session or cookie. Combine it with your ticket's partition and seq to compute your position; " +
            'ask `GET /api/campaigns/{campaignId}/queue/status` only when the cursor reaches your seq (to claim) ' +
            'and on a slow heartbeat. `Cache-Control: ' +
            SNAPSHOT_CACHE_CONTROL +
            '`; weak ETag, 304 on If-None-Match.',
          params: CampaignParams,
          response: {
            200: QueueSnapshotSchema,
            304: Type.Null({ description: 'Not modified (If-None-Match matched)' }),
            404: Problem,
          },
        },
      },
      // Synchronous (sends, returns nothing): the answer is in memory, and an async handler cost
      // every poll of the snapshot a promise and a microtask turn.
      (req, reply): void => {
        const r = cache.replyFor(req.params.campaignId);
        if (!r) {
          sendProblem(reply.header('cache-control', 'public, max-age=5'), 'queue-not-found');
          return;
        }
        reply.header('cache-control', SNAPSHOT_CACHE_CONTROL).header('etag', r.etag);
        if (req.headers['if-none-match'] === r.etag) reply.code(304).send(null);
        // A Buffer is sent as it is (serialized once per refresh); the schema documents its shape.
        else reply.type('application/json; charset=utf-8').send(r.body);
      },
    );
  };
}

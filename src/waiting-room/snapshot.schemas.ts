/**
 * The public queue snapshot's wire shape: one small document per campaign, the same for everyone
 * for a second, so an edge (nginx, a CDN) can answer it without reaching Node. It holds no session,
 * no cookie and nothing about any person; the citizen site combines it with its own signed ticket
 * (partition, seq) to work out its position, the number ahead and the ETA band itself.
 *
 * Client arithmetic (what the server's own status answer does, web/src/citizen/queue-position.ts):
 *   aheadHere = max(0, seq − p.cursor − 1);  ahead = round(aheadHere × waiting / p.waiting)
 *   (with one partition: ahead = aheadHere);  position = ahead + 1;  behind likewise from tail − seq
 *   k = aheadHere + 1; pass(k, r, h) = max(k / h, steady(k − p.rate.headroom.places, r)) with free
 *   session headroom at the headroom's rate h, else steady(k, r); steady(n, r) = n / r, or with
 *   rateShape the time for n places at r × rateShape[i] in minute i from now (the last beyond its end);
 *   ETA ≈ max(poll.minMs, pass(k, mean, headroom mean) + poll.minMs / 2), band pass(k, max(p90, mean),
 *   headroom's fast end) … pass(k, min(p10, mean), headroom's slow end) + poll.minMs (seen at the next
 *   look near the front); at the slow end with headroom.hold {seconds T, perSec r0}, k / h becomes
 *   k / r0 up to r0·T places, then T + (k − r0·T)·(places / h − T) / (places − r0·T)
 *   cursor ≥ seq: the turn has come — claim it at the origin (GET …/queue/status).
 */
import { Type, type Static } from '@sinclair/typebox';

export const RateBandSchema = Type.Object(
  {
    meanPerSec: Type.Number({
      description: "This partition's share of the room's admission rate (seqs per second), blended with the plan",
    }),
    p10PerSec: Type.Number({ description: 'The slow end of the rate the wait may see' }),
    p90PerSec: Type.Number({ description: 'The fast end of the rate the wait may see' }),
    measuredShare: Type.Optional(
      Type.Number({
        description: "How much of this band is measured (0..1); the rest is the operator's planned rate",
      }),
    ),
    headroom: Type.Optional(
      Type.Object(
        {
          places: Type.Number({ description: "This partition's share of the sessions the cap still has room for" }),
          meanPerSec: Type.Number({ description: "The rate those places pass at (the controller's)" }),
          p10PerSec: Type.Number({ description: 'Its slow end' }),
          p90PerSec: Type.Number({ description: 'Its fast end' }),
          measuredShare: Type.Optional(
            Type.Number({
              description: "How much of the headroom's rate is measured (0..1); the rest is the controller's",
            }),
          ),
          hold: Type.Optional(
            Type.Object(
              {
                seconds: Type.Number({ description: 'How long the controller may hold its rate before it climbs' }),
                perSec: Type.Number({ description: "This partition's share of the rate it holds" }),
              },
              {
                additionalProperties: false,
                description:
                  'At the slow end only: the first perSec × seconds places pass at perSec, the rest of the headroom in the time left (k / perSec, then seconds + (k − perSec·seconds)·(places / p10PerSec − seconds) / (places − perSec·seconds))',
              },
            ),
          ),
        },
        {
          additionalProperties: false,
          description:
            'The free active-session headroom: these places pass at their own rate before the cap holds the cursor to the rate above',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PartitionSnapshotSchema = Type.Object(
  {
    partition: Type.Integer({ minimum: 0 }),
    cursor: Type.Integer({ description: 'Last admitted seq of this partition' }),
    tail: Type.Integer({ description: 'Last seq handed out in this partition' }),
    frozen: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Pre-room size at opening (null before opening)',
    }),
    waiting: Type.Integer({ description: 'Places not yet reached in this partition' }),
    rate: Type.Union([RateBandSchema, Type.Null()], {
      description:
        "This partition's share of the room's admission rate, measured and planned; null when neither is known",
    }),
  },
  { additionalProperties: false },
);

export const QueueSnapshotSchema = Type.Object(
  {
    campaignId: Type.String(),
    serverTimeMs: Type.Integer({ description: 'Server time (epoch ms) at which these counters were read' }),
    opensAtMs: Type.Integer({ description: 'The opening instant by server time (epoch ms)' }),
    isOpen: Type.Boolean(),
    isPaused: Type.Boolean({ description: 'Admission paused by an operator (as this server sees it)' }),
    preRoomSize: Type.Integer({ description: 'People who joined before the opening (frozen at opening)' }),
    waiting: Type.Integer({ description: 'Places not yet reached, all partitions' }),
    partitions: Type.Array(PartitionSnapshotSchema),
    poll: Type.Object(
      {
        minMs: Type.Integer(),
        maxMs: Type.Integer(),
        fraction: Type.Number({
          description: 'Look again after this fraction of the optimistic ETA, clamped to minMs..maxMs',
        }),
      },
      { additionalProperties: false },
    ),
    message: Type.Union(
      [Type.Object({ ko: Type.String(), en: Type.String() }, { additionalProperties: false }), Type.Null()],
      { description: "The operator's message to everyone waiting, or null" },
    ),
    seatsLeft: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Seats the campaign can still book (free first-dose seats), or null when not counted',
    }),
    seatsOpen: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'Seats left that no active session or claim on its way holds, or null when seats are not counted. ' +
        'A place further back than this waits for sessions that end without booking: no ETA is given',
    }),
    nextSeatsAtMs: Type.Union([Type.Integer(), Type.Null()], {
      description: "When more seats open (the campaign's next opening), or null when none is scheduled",
    }),
    rateShape: Type.Union([Type.Array(Type.Number(), { maxItems: 20 }), Type.Null()], {
      description:
        "The steady rate (not the headroom's) in each coming minute as a factor of its rate now (index 0: this " +
        'minute), from the session turnover the operator planned; beyond the last, the last holds. null: the rate now lasts',
    }),
    admissionTtlMs: Type.Integer({ description: 'How long an admission lasts once given (ms)' }),
    nextLookMs: Type.Integer({
      description: 'When this document can next have changed (ms); clients wait at least this long',
    }),
  },
  { additionalProperties: false },
);

export type QueueSnapshot = Static<typeof QueueSnapshotSchema>;
export type PartitionSnapshotView = Static<typeof PartitionSnapshotSchema>;

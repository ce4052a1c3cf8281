/**
 * Recomputes a campaign's pre-room order from what the service publishes (draw.routes.ts) and
 * nothing else: checks that the revealed seed hashes to the commitment published before the
 * opening, recomputes every ticket id's score, sorts, and compares with the published order of each
 * partition. Optionally finds one holder's place from their queue ticket (the ticket payload carries
 * their identity hash, from which the ticket id follows).
 */
import { createHash } from 'node:crypto';
import { drawScore, ticketIdOf } from '../../src/waiting-room/pre-room-draw.ts';

/** GET a path of the service as JSON; { status, body }. */
export type Get = (path: string) => Promise<{ status: number; body: unknown }>;

export interface DrawVerdict {
  readonly isVerified: boolean;
  /** Every problem found (empty when verified). */
  readonly problems: string[];
  readonly commitment: string;
  readonly people: number;
  readonly partitions: number;
  /** When a ticket was given: its ticket id and place (1-based) in its partition, or null if absent. */
  readonly holder?: { ticketId: string; partition: number; place: number } | null;
}

const PAGE = 10_000;

export async function verifyDraw(get: Get, campaignId: string, o: { ticket?: string } = {}): Promise<DrawVerdict> {
  const stated = await get(`/api/campaigns/${encodeURIComponent(campaignId)}/queue/draw`);
  if (stated.status !== 200) throw new Error(`draw statement: HTTP ${stated.status} ${JSON.stringify(stated.body)}`);
  const draw = stated.body as { commitment: string; seed: string | null; partitions: number };
  const problems: string[] = [];
  if (draw.seed === null)
    return {
      isVerified: false,
      problems: ['the seed is not revealed yet (before the opening)'],
      commitment: draw.commitment,
      people: 0,
      partitions: draw.partitions,
    };
  const seed = Buffer.from(draw.seed, 'hex');
  if (seed.length !== 32 || createHash('sha256').update(seed).digest('hex') !== draw.commitment)
    problems.push('the revealed seed does not hash to the commitment');

  const holderId = o.ticket ? ticketIdOf(campaignId, identityOfTicket(o.ticket)) : null;
  let holder: DrawVerdict['holder'] = holderId ? null : undefined;
  let people = 0;
  for (let partition = 0; partition < draw.partitions; partition += 1) {
    const published = await orderOf(get, campaignId, partition);
    people += published.length;
    const score = new Map(published.map((id) => [id, drawScore(seed, id)]));
    const recomputed = [...published].sort((a, b) => score.get(a)! - score.get(b)!);
    // Equal scores (a 48-bit tie) may stand in either order; anything else must match exactly.
    const wrong = published.findIndex((id, i) => id !== recomputed[i] && score.get(id) !== score.get(recomputed[i]!));
    if (wrong >= 0)
      problems.push(
        `partition ${partition}: place ${wrong + 1} is ${published[wrong]}, the draw puts ${recomputed[wrong]} there`,
      );
    if (new Set(published).size !== published.length)
      problems.push(`partition ${partition}: a ticket id appears twice`);
    const at = holderId ? published.indexOf(holderId) : -1;
    if (at >= 0) holder = { ticketId: holderId!, partition, place: at + 1 };
  }
  return {
    isVerified: problems.length === 0,
    problems,
    commitment: draw.commitment,
    people,
    partitions: draw.partitions,
    ...(holder !== undefined ? { holder } : {}),
  };
}

async function orderOf(get: Get, campaignId: string, partition: number): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await get(
      `/api/campaigns/${encodeURIComponent(campaignId)}/queue/draw/order?partition=${partition}&offset=${offset}&limit=${PAGE}`,
    );
    if (page.status !== 200)
      throw new Error(`order of partition ${partition}: HTTP ${page.status} ${JSON.stringify(page.body)}`);
    const ids = (page.body as { ticketIds: string[] }).ticketIds;
    out.push(...ids);
    if (ids.length < PAGE) return out;
  }
}

/** The identity hash a queue ticket carries (its payload is readable by its holder). */
function identityOfTicket(ticket: string): string {
  const payload = JSON.parse(Buffer.from(ticket.split('.')[0] ?? '', 'base64url').toString('utf8')) as { i?: unknown };
  if (typeof payload.i !== 'string') throw new Error('not a queue ticket');
  return payload.i;
}

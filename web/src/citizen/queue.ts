/**
 * The waiting-room client: join once (the ticket is kept in localStorage, so a reload, a closed
 * tab or a sleeping phone resumes the same place), then work out the position from the ticket and
 * the public queue snapshot (the same for everyone for a second, so an edge or CDN answers it), at
 * the interval the arithmetic asks for. The origin's status is asked only when the cursor reaches
 * the place (to claim it), when a pre-room place nears the front, on the first look and on a slow
 * heartbeat every 5 minutes (which also brings any reissued, more exact ticket). A lost connection
 * or a busy server never drops the ticket: the page says so and keeps trying with backoff. Only a
 * problem about the ticket itself stops polling.
 */
import { useEffect, useState } from 'react';
import { apiRequest, type ApiResult, type Problem } from '../shared/api.ts';
import { failureOf, type Failure } from '../shared/failure.tsx';
import { navigate, paths } from './router.ts';
import { redirectForProblem, useSession } from './session.tsx';
import { citizenHeaders, deviceId, loadTicket, saveAdmission, saveTicket, type Session } from './store.ts';
import type { JoinedWire, PolledWire, QueueStatusWire } from '../../../src/waiting-room/waiting-room.schemas.ts';
import type { QueueSnapshot } from '../../../src/waiting-room/snapshot.schemas.ts';
import { localStatus, readTicket, type LocalStatus } from './queue-position.ts';

/**
 * A status as the server sends it (its schema is the contract): `pre-opening`, `waiting` or
 * `admitted`. A place that expired or a campaign already booked are refusals (problems), not states.
 */
export type QueueStatus = QueueStatusWire;

export type Connection = 'ok' | 'offline' | 'busy';
/**
 * What the public snapshot says about the room (the same for everyone): paused, the operator's
 * message, seats left, how long an admission lasts; and the server's clock offset (server − device),
 * so countdowns and clock times do not trust a wrong phone clock. null until a snapshot was read.
 */
export interface RoomView {
  snapshot: QueueSnapshot;
  clockOffsetMs: number;
}
export type QueueView =
  | { phase: 'joining'; connection?: Connection }
  | { phase: 'status'; status: QueueStatus; checkedAtMs: number; connection: Connection; room: RoomView | null }
  | { phase: 'failed'; failure: Failure };

const MIN_POLL_MS = 500;
const MAX_POLL_MS = 60_000;
const ADMITTED_PAUSE_MS = 1_000;
/**
 * How often the origin's status is asked while the snapshot answers everything else. Nothing about
 * a waiting place changes at the origin until the cursor reaches it (and that is seen in the
 * snapshot), so the heartbeat only catches what the snapshot cannot say (a ticket refused, a
 * pre-room place resolved): 20 M people at one per 5 minutes are ~67,000 status calls a second.
 */
const HEARTBEAT_MS = 300_000;

const clampPoll = (ms: number | null) =>
  Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms !== null && Number.isFinite(ms) ? ms : 5_000));
const backoffMs = (failures: number) => Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5));
const isTransient = (p: Problem) => p.status === 429 || p.status >= 500;

/** The page's status from the browser's own arithmetic (never 'ask-origin': that goes to the origin). */
function shownStatus(s: Exclude<LocalStatus, { kind: 'ask-origin' }>): QueueStatus {
  if (s.kind === 'pre-opening') {
    return {
      state: 'pre-opening',
      opensAt: new Date(s.opensAtMs).toISOString(),
      preRoomSize: s.preRoomSize,
      position: null,
      ahead: null,
      behind: null,
      eta: null,
      progress: null,
      nextPollMs: s.nextPollMs,
    };
  }
  return {
    state: 'waiting',
    position: s.position,
    ahead: s.ahead,
    behind: s.behind,
    isEstimate: s.isEstimate,
    eta: s.eta,
    progress: s.progress,
    reference: s.reference,
    nextPollMs: s.nextPollMs,
  };
}

export function useQueue(campaignId: string, session: Session, attempt: number): QueueView {
  const { setSession } = useSession();
  const [view, setView] = useState<QueueView>({ phase: 'joining' });

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    let failures = 0;
    let lastOriginMs = 0;
    let room: RoomView | null = null;
    const base = `/api/campaigns/${encodeURIComponent(campaignId)}/queue`;
    const schedule = (ms: number) => {
      if (!stopped) timer = window.setTimeout(() => void tick(), ms);
    };
    const setConnection = (connection: Connection) => setView((v) => (v.phase === 'failed' ? v : { ...v, connection }));

    const keepRoom = (snapshot: QueueSnapshot) => {
      room = { snapshot, clockOffsetMs: snapshot.serverTimeMs - Date.now() };
    };

    function show(status: QueueStatus) {
      setView({ phase: 'status', status, checkedAtMs: Date.now(), connection: 'ok', room });
      if (status.state === 'admitted' && status.admission) {
        saveAdmission(campaignId, status.admission);
        timer = window.setTimeout(() => navigate(paths.book(campaignId), { replace: true }), ADMITTED_PAUSE_MS);
      } else {
        schedule(clampPoll(status.nextPollMs));
      }
    }

    /** False when polling must stop (the page shows why, or has moved on). */
    function onFailure(r: Exclude<ApiResult<unknown>, { ok: true }>): void {
      if (r.kind === 'network' || isTransient(r.problem)) {
        failures += 1;
        setConnection(r.kind === 'network' ? 'offline' : 'busy');
        // The server's Retry-After (it spreads people out when busy) beats our own back-off.
        const asked = r.kind === 'problem' ? r.problem.retryAfterSec : undefined;
        schedule(asked !== undefined ? Math.min(MAX_POLL_MS, asked * 1000) : backoffMs(failures));
        return;
      }
      if (redirectForProblem(r.problem, campaignId, setSession)) return;
      setView({ phase: 'failed', failure: failureOf(r)! });
    }

    async function ticket(): Promise<string | null> {
      const kept = loadTicket(campaignId, session);
      if (kept) return kept;
      const r = await apiRequest<JoinedWire>(base, {
        method: 'POST',
        body: { deviceId: deviceId() },
        headers: citizenHeaders(session),
      });
      if (stopped) return null;
      if (!r.ok) {
        onFailure(r);
        return null;
      }
      saveTicket(campaignId, session, r.data.ticket);
      return r.data.ticket;
    }

    /** The origin's answer (claims a turn that has come); keeps a reissued, more exact ticket. */
    async function askOrigin(t: string) {
      // The first look also reads the room (paused, message, seats) so the page says it at once.
      const [r, snap] = await Promise.all([
        apiRequest<PolledWire>(`${base}/status`, {
          headers: { ...citizenHeaders(session), 'x-queue-ticket': t },
        }),
        room ? null : apiRequest<QueueSnapshot>(`${base}/snapshot`),
      ]);
      if (stopped) return;
      if (snap?.ok) keepRoom(snap.data);
      if (!r.ok) {
        onFailure(r);
        return;
      }
      lastOriginMs = Date.now();
      if (r.data.ticket && r.data.ticket !== t) saveTicket(campaignId, session, r.data.ticket);
      failures = 0;
      show(r.data);
    }

    async function tick() {
      const t = await ticket();
      if (!t || stopped) return;
      const place = readTicket(t);
      if (!place || Date.now() - lastOriginMs >= HEARTBEAT_MS) return askOrigin(t);
      const snap = await apiRequest<QueueSnapshot>(`${base}/snapshot`);
      if (stopped) return;
      // A snapshot that cannot be had for good (not a network or busy problem): the origin decides.
      if (!snap.ok && snap.kind === 'problem' && !isTransient(snap.problem)) return askOrigin(t);
      if (!snap.ok) {
        onFailure(snap);
        return;
      }
      keepRoom(snap.data);
      const local = localStatus(place, snap.data);
      if (local.kind === 'ask-origin') return askOrigin(t);
      failures = 0;
      show(shownStatus(local));
    }

    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [campaignId, session, attempt, setSession]);

  return view;
}

/** Forget the ticket (after it expired or was refused) so the next attempt joins anew. */
export function dropTicket(campaignId: string, session: Session): void {
  saveTicket(campaignId, session, null);
  saveAdmission(campaignId, null);
}

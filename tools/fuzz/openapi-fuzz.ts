/**
 * A fuzzer driven by the service's OpenAPI document (`/docs/json`): for every operation it
 * generates requests from the declared parameters and body (fast-check, fixed seed), mixed with
 * hostile variants — wrong types, huge numbers, dates that do not exist, control characters,
 * oversized and malformed bodies, wrong content types, missing, garbage and valid credentials —
 * sends them over HTTP, and checks each answer: never a 5xx, every error application/problem+json
 * with the table's shape. `runFuzz` returns the figures; the caller decides what fails.
 */
import fc from 'fast-check';
import { Client } from 'undici';
import { hostileFor, hostileValue, mutatedObjectOf, valueOf, type JsonSchema } from './schema-arbitrary.ts';

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
export interface Operation {
  method: string;
  path: string;
  params: Parameter[];
  body?: JsonSchema;
  secured: boolean;
}

/** Real values the fuzzer mixes in so requests get past authentication into the handlers. */
export interface FuzzCredentials {
  campaignIds: string[];
  slotIds: number[];
  /** Verified people: their `authorization` header value and the booking each holds. */
  citizens: { authorization: string; bookingNumber: string }[];
  /** Headers of an admitted citizen: authorization, cookie (device), x-admission-token. */
  admitted: Record<string, string>;
  queueTicket: string;
  /** Headers of a logged-in operator: cookie, x-csrf-token. */
  operator: Record<string, string>;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export function operationsOf(doc: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema: JsonSchema }> };
        security?: unknown[];
      }
    >
  >;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
        secured: (op.security?.length ?? 0) > 0,
      });
    }
  }
  return ops;
}

/** Percent-encoding that survives lone surrogates (generated text need not be well-formed UTF-16). */
const enc = (v: string) => encodeURIComponent((v as string & { toWellFormed(): string }).toWellFormed());
const printable = (v: string) => !/[^\u0021-\u007e ]/.test(v);

/** A text form of any generated value, as it would travel in a URL or header. */
function asText(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined');
}

/** A parameter's value: a real one (the chosen citizen's booking), one from its schema, or a hostile one. */
function paramValue(op: Operation, p: Parameter, c: FuzzCredentials, who: number): fc.Arbitrary<unknown> {
  // Half the citizens never cancel their own booking, so changes and change searches keep
  // reaching the handlers for the whole run instead of stopping at 'booking-cancelled'.
  const keepsBooking = op.method === 'DELETE' && who < c.citizens.length / 2;
  const own = keepsBooking ? 'ABCD-EFGH-JKMN' : c.citizens[who]!.bookingNumber;
  const known =
    p.name === 'campaignId'
      ? c.campaignIds
      : p.name === 'bookingNumber'
        ? [own, own, own, 'ABCD-EFGH-JKMN']
        : p.name === 'x-queue-ticket'
          ? [c.queueTicket]
          : [];
  return fc.oneof(
    { arbitrary: known.length ? fc.constantFrom<unknown>(...known) : valueOf(p.schema), weight: 5 },
    { arbitrary: valueOf(p.schema), weight: 2 },
    { arbitrary: hostileFor(p.schema), weight: 3 },
  );
}

function credentials(op: Operation, c: FuzzCredentials, who: number): fc.Arbitrary<Record<string, string>> {
  const garbage = fc.constantFrom<Record<string, string>>(
    { authorization: 'Bearer garbage' },
    { authorization: 'Bearer ' },
    { authorization: 'Basic YTpi' },
    { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJwaWQiOjF9.' },
    { cookie: 'yeyak_op=forged; yeyak_csrf=x' },
    { 'x-admission-token': 'forged', cookie: 'yeyak_dev=someone-else' },
    { 'x-csrf-token': 'forged' },
  );
  // Logging out with the operator's real session would revoke it, and every later operator request
  // would stop at 401 instead of reaching the handlers: logout is fuzzed with every other credential.
  const isOperator = op.path.startsWith('/api/operator') && op.path !== '/api/operator/logout';
  const isGated = op.path.startsWith('/api/campaigns/{campaignId}/') && op.secured && !op.path.includes('/queue');
  return fc.oneof(
    { arbitrary: fc.constant({ authorization: c.citizens[who]!.authorization }), weight: isOperator ? 1 : 5 },
    { arbitrary: fc.constant(c.admitted), weight: isGated ? 5 : 1 },
    { arbitrary: fc.constant(op.path === '/api/operator/logout' ? {} : c.operator), weight: isOperator ? 6 : 1 },
    { arbitrary: garbage, weight: 2 },
    { arbitrary: fc.constant({}), weight: 1 },
  );
}

type BodyPlan = { kind: 'json'; value: unknown } | { kind: 'raw'; body: string | Buffer; type?: string };

function bodyPlan(op: Operation, c: FuzzCredentials): fc.Arbitrary<BodyPlan | undefined> {
  const raw = fc.oneof(
    fc.constantFrom<BodyPlan>(
      { kind: 'raw', body: '{', type: 'application/json' },
      { kind: 'raw', body: '', type: 'application/json' },
      { kind: 'raw', body: '{"slotId":1,"slotId":true}', type: 'application/json' },
      { kind: 'raw', body: '{"__proto__":{"x":1}}', type: 'application/json' },
      { kind: 'raw', body: 'slotId=1', type: 'application/x-www-form-urlencoded' },
      { kind: 'raw', body: '<a/>', type: 'application/xml' },
      { kind: 'raw', body: 'hello', type: 'text/plain' },
      { kind: 'raw', body: '{"a":1}' },
      { kind: 'raw', body: '--b\r\n\r\n', type: 'multipart/form-data; boundary=b' },
      { kind: 'raw', body: '{"a":1}', type: 'application/json; charset=latin1' },
    ),
    fc
      .integer({ min: 60_000, max: 200_000 })
      .map((n): BodyPlan => ({ kind: 'raw', body: `{"x":"${'a'.repeat(n)}"}`, type: 'application/json' })),
    fc.jsonValue({ maxDepth: 3 }).map((value): BodyPlan => ({ kind: 'json', value })),
  );
  if (!op.body) return fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: raw, weight: 1 });
  const withKnown = valueOf(op.body).map((v) =>
    v && typeof v === 'object' && 'slotId' in v && c.slotIds.length
      ? { ...v, slotId: c.slotIds[Math.abs(JSON.stringify(v).length) % c.slotIds.length] }
      : v,
  );
  return fc.oneof(
    { arbitrary: withKnown.map((value): BodyPlan => ({ kind: 'json', value })), weight: 3 },
    { arbitrary: mutatedObjectOf(op.body).map((value): BodyPlan => ({ kind: 'json', value })), weight: 5 },
    { arbitrary: hostileValue().map((value): BodyPlan => ({ kind: 'json', value })), weight: 1 },
    { arbitrary: raw, weight: 2 },
  );
}

/** One request for `op`: declared parameters (some hostile), credentials, a body plan. */
export function requestFor(op: Operation, c: FuzzCredentials, who: number): fc.Arbitrary<FuzzRequest> {
  const params = fc.tuple(
    ...op.params.map((p) =>
      fc.tuple(
        fc.constant(p),
        fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(!p.required), weight: 1 }),
        paramValue(op, p, c, who),
      ),
    ),
  );
  // One request in six carries a query member it did not declare (or a second copy of one).
  const extraQuery = fc.oneof(
    { arbitrary: fc.constant(null), weight: 5 },
    { arbitrary: fc.tuple(fc.constantFrom('limit', 'date', 'x', 'region', '__proto__'), hostileValue()), weight: 1 },
  );
  return fc
    .tuple(params, credentials(op, c, who), bodyPlan(op, c), extraQuery, fc.boolean())
    .map(([ps, creds, plan, extra, rawPath]) => {
      let path = op.path;
      const query = new URLSearchParams();
      const headers: Record<string, string> = { ...creds };
      for (const [p, present, v] of ps) {
        const text = asText(v);
        if (p.in === 'path')
          path = path.replace(`{${p.name}}`, rawPath && printable(text) && !/[/?#]/.test(text) ? text : enc(text));
        else if (!present) continue;
        else if (p.in === 'query') query.append(p.name, text);
        else if (printable(text)) headers[p.name] = text;
      }
      if (extra) query.append(extra[0], asText(extra[1]));
      const qs = query.toString();
      const req: FuzzRequest = { method: op.method, path: qs ? `${path}?${qs}` : path, headers };
      if (plan?.kind === 'json') {
        req.body = JSON.stringify(plan.value) ?? 'null';
        headers['content-type'] = 'application/json';
      }
      if (plan?.kind === 'raw') {
        req.body = plan.body;
        if (plan.type) headers['content-type'] = plan.type;
      }
      if (op.method === 'POST' && op.path.endsWith('/bookings') && !headers['idempotency-key'])
        headers['idempotency-key'] = `fuzz-${path.length}-${qs.length}`;
      return req;
    });
}

/** Requests for any operation, and a few for paths and methods the document does not have. */
export function anyRequest(ops: Operation[], c: FuzzCredentials): fc.Arbitrary<FuzzRequest> {
  const stray = fc
    .tuple(
      fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'OPTIONS'),
      fc.constantFrom(...ops.map((o) => o.path)),
      hostileValue(),
    )
    .map(([method, path, v]): FuzzRequest => ({
      method,
      path: path.replace(/\{[^}]+\}/g, enc(asText(v)).slice(0, 300)),
      headers: {},
    }));
  // Built once per operation (a chain would rebuild every pattern's generator on each draw).
  // One per operation and citizen, so a request's session and its booking number belong together.
  const perOperation = ops.flatMap((op) =>
    c.citizens.map((_, who) => ({ arbitrary: requestFor(op, c, who), weight: 1 })),
  );
  return fc.oneof(...perOperation, { arbitrary: stray, weight: Math.max(1, Math.round(perOperation.length / 40)) });
}

export interface FuzzFigures {
  requests: number;
  sent: number;
  /** Generated requests the HTTP client itself refused to send (a header value it cannot encode). */
  notSendable: number;
  statuses: Record<string, number>;
  serverErrors: { request: string; status: number; body: string }[];
  notProblem: { request: string; status: number; type: string; body: string }[];
  /** Requests with no answer within ANSWER_TIMEOUT_MS (then abandoned). */
  unanswered: { request: string }[];
  durationMs: number;
  healthyAfter: boolean;
}

const describeReq = (r: FuzzRequest) =>
  `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 200)} body=${String(r.body ?? '').slice(0, 200)}`;

export const emptyFigures = (): FuzzFigures => ({
  requests: 0,
  sent: 0,
  notSendable: 0,
  statuses: {},
  serverErrors: [],
  notProblem: [],
  unanswered: [],
  durationMs: 0,
  healthyAfter: false,
});

/**
 * Sends `requests` generated requests (seeded: the same seed sends the same requests) to `origin`,
 * `concurrency` at a time, and checks each answer. Ends with /healthz, /readyz and a public read.
 */
export async function runFuzz(o: {
  origin: string;
  doc: Parameters<typeof operationsOf>[0];
  credentials: FuzzCredentials;
  requests: number;
  seed: number;
  concurrency?: number;
  onProgress?: (sent: number) => void;
}): Promise<FuzzFigures> {
  const ops = operationsOf(o.doc);
  const arb = anyRequest(ops, o.credentials);
  const sender = createSender(o.origin, { concurrency: o.concurrency ?? 16 });
  const f = emptyFigures();
  const started = performance.now();
  const BATCH = 500;
  try {
    for (let done = 0; done < o.requests; done += BATCH) {
      const batch = fc.sample(arb, { seed: o.seed + done, numRuns: Math.min(BATCH, o.requests - done) });
      await sender.send(batch, f);
      o.onProgress?.(done + batch.length);
    }
    f.durationMs = Math.round(performance.now() - started);
    f.healthyAfter = await sender.isHealthy();
  } finally {
    await sender.close();
  }
  return f;
}

/** A request not answered within this is abandoned and reported (a hung answer is a finding too). */
const ANSWER_TIMEOUT_MS = 10_000;

/**
 * `concurrency` workers, each with a connection (an undici Client) of its own, not an undici Pool:
 * a request undici refuses to put on the wire (a path with a space or a character over U+00FF, a
 * header it cannot encode) makes `dispatch` return false, which a Pool reads as "this connection
 * is busy" and retires the connection until a 'drain' that never comes. Sixteen such requests
 * (the seeded run reached them near request 18,500) left the Pool with none: every later request
 * waited in its queue, never sent — the server had nothing open — until abandoned after 10 s.
 * A Client just fails the refused request and takes the next one.
 */
export function createSender(origin: string, o: { concurrency: number; answerTimeoutMs?: number }) {
  const clients = Array.from({ length: o.concurrency }, () => new Client(origin, { pipelining: 1 }));
  const timeoutMs = o.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
  return {
    send: (batch: FuzzRequest[], f: FuzzFigures) =>
      inParallel(batch, clients, (r, client) => sendOne(origin, client, r, f, timeoutMs)),
    isHealthy: () => isHealthy(clients[0]!),
    // Destroy, not close: a request the server never answered would keep close() waiting.
    close: async () => {
      await Promise.all(clients.map((c) => c.destroy()));
    },
  };
}

/**
 * Bodies over the server's limit go on a connection of their own, closed after the answer: the
 * server answers 413 without reading them, and a kept-alive undici connection left with unread
 * body bytes wedged the whole pool (every later request waited, past its abort signal).
 */
const OWN_CONNECTION_BODY_BYTES = 60_000;

async function sendOne(origin: string, client: Client, r: FuzzRequest, f: FuzzFigures, timeoutMs: number) {
  f.requests += 1;
  // A plain timer, held until the answer is in: an AbortSignal.timeout whose signal nothing else
  // references can be collected before it fires, and then nothing ends the wait.
  const controller = new AbortController();
  const signal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error('unanswered'));
    }, timeoutMs);
  });
  abandoned.catch(() => {});
  try {
    await exchange(origin, client, r, f, signal, abandoned);
  } finally {
    clearTimeout(timer);
  }
}

async function exchange(
  origin: string,
  client: Client,
  r: FuzzRequest,
  f: FuzzFigures,
  signal: AbortSignal,
  abandoned: Promise<never>,
) {
  let res;
  const own = (r.body?.length ?? 0) > OWN_CONNECTION_BODY_BYTES ? new Client(origin) : null;
  try {
    // The race is the guarantee: undici did not always honour the signal for a request the server never answered.
    res = await Promise.race([
      (own ?? client).request({ method: r.method as 'GET', path: r.path, headers: r.headers, body: r.body, signal }),
      abandoned,
    ]);
  } catch (e) {
    void own?.destroy();
    const code = (e as { code?: string }).code ?? '';
    if (signal.aborted) {
      f.statuses.unanswered = (f.statuses.unanswered ?? 0) + 1;
      if (f.unanswered.length < 50) f.unanswered.push({ request: describeReq(r) });
      return;
    }
    // undici refuses to put some generated values on the wire (invalid header or path characters).
    if (
      code === 'UND_ERR_INVALID_ARG' ||
      code === 'ERR_INVALID_CHAR' ||
      code === 'ERR_INVALID_URL' ||
      /invalid/i.test((e as Error).message)
    ) {
      f.notSendable += 1;
      return;
    }
    // The server closing a connection it refused (an oversized body) is an answer too: count it.
    f.statuses[`closed:${code}`] = (f.statuses[`closed:${code}`] ?? 0) + 1;
    f.sent += 1;
    return;
  }
  f.sent += 1;
  let text: string;
  try {
    text = await Promise.race([res.body.text(), abandoned]);
  } catch {
    // Headers came, the body never finished.
    f.statuses[`${res.statusCode}:unfinished`] = (f.statuses[`${res.statusCode}:unfinished`] ?? 0) + 1;
    if (f.unanswered.length < 50)
      f.unanswered.push({ request: `${describeReq(r)} (status ${res.statusCode}, body unfinished)` });
    void own?.destroy();
    return;
  }
  void own?.destroy();
  const status = res.statusCode;
  f.statuses[status] = (f.statuses[status] ?? 0) + 1;
  if (status >= 500 && f.serverErrors.length < 50)
    f.serverErrors.push({ request: describeReq(r), status, body: text.slice(0, 300) });
  if (status >= 500 && f.serverErrors.length >= 50) f.serverErrors.length = 50;
  if (
    status >= 400 &&
    !isProblem(String(res.headers['content-type'] ?? ''), text, status) &&
    f.notProblem.length < 50
  ) {
    f.notProblem.push({
      request: describeReq(r),
      status,
      type: String(res.headers['content-type']),
      body: text.slice(0, 300),
    });
  }
}

function isProblem(type: string, text: string, status: number): boolean {
  if (!type.startsWith('application/problem+json')) return false;
  try {
    const b = JSON.parse(text) as { code?: unknown; status?: unknown; messages?: { ko?: unknown; en?: unknown } };
    return (
      typeof b.code === 'string' &&
      b.status === status &&
      typeof b.messages?.ko === 'string' &&
      typeof b.messages?.en === 'string'
    );
  } catch {
    return false;
  }
}

async function isHealthy(client: Client): Promise<boolean> {
  for (const path of ['/healthz', '/readyz', '/api/campaigns']) {
    const res = await client.request({ method: 'GET', path });
    await res.body.text();
    if (res.statusCode !== 200) return false;
  }
  return true;
}

/** One worker per client: a worker sends its next item only when its client's last exchange is over. */
async function inParallel<T, C>(items: T[], clients: C[], fn: (t: T, client: C) => Promise<void>) {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < items.length) await fn(items[next++]!, client);
    }),
  );
}

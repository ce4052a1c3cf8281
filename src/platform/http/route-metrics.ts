/**
 * `http_request_duration_seconds` by method, route and status, observed by an onResponse hook each
 * route gets when it is registered, with its route label bound then: a hook for every request at
 * the root read `request.routeOptions` (a getter that builds a dozen-field object per call) and
 * ran as a promise, on every answer the front door gives.
 *
 * The histogram is kept here, not in prom-client's Histogram, whose observe builds a closure and a
 * label pair, checks every label, joins the label values into a key and turns the bucket bound into
 * a string on every call: 3-4 % of a rate-limit refusal's profile, on every answer of every route.
 * Here a route's hook finds its cell by method and status in two small maps and counts into an
 * array. What /metrics shows is unchanged: the registry formats it as it formats a prom-client
 * histogram (same names, labels, order and values; route-metrics.test.ts compares the two).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metric, Registry } from 'prom-client';

type Labels = { method: string; route: string; status: string };

interface Cell {
  readonly labels: Labels;
  /** Observations per bucket, not cumulative; index `bounds.length` is above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Records one answer of a route: its method, status and duration in seconds. */
export type ObserveAnswer = (method: string, status: number, seconds: number) => void;

type ExportedValue = {
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
  value: number;
  metricName: string;
};

/**
 * A histogram labelled by method, route and status that prom-client's Registry formats like its
 * own (`getForPromString`, `get`); cells are made at an answer's first use of its labels.
 */
export class RequestDurations {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames = ['method', 'route', 'status'] as const;
  readonly #bounds: readonly number[];
  #cells: Cell[] = [];
  #routes = new Map<string, Map<string, Map<number, Cell>>>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    registers: readonly Registry[] = [],
  ) {
    this.#bounds = [...buckets].sort((a, b) => a - b);
    for (const r of registers) r.registerMetric(this as unknown as Metric);
  }

  /** The recorder of one route's answers (one map lookup by method, one by status per answer). */
  route(route: string): ObserveAnswer {
    let byMethod = this.#routes.get(route);
    if (!byMethod) this.#routes.set(route, (byMethod = new Map()));
    const methods = byMethod;
    return (method, status, seconds) => {
      let byStatus = methods.get(method);
      if (!byStatus) methods.set(method, (byStatus = new Map()));
      let cell = byStatus.get(status);
      if (!cell) byStatus.set(status, (cell = this.#newCell({ method, route, status: String(status) })));
      const bounds = this.#bounds;
      let i = 0;
      while (i < bounds.length && seconds > bounds[i]!) i++;
      cell.counts[i]! += 1;
      cell.sum += seconds;
      cell.count += 1;
    };
  }

  /** One observation with its labels given (tests, rare callers): the same as a route's recorder. */
  observe(labels: Labels, seconds: number): void {
    this.route(labels.route)(labels.method, Number(labels.status), seconds);
  }

  #newCell(labels: Labels): Cell {
    const cell: Cell = { labels, counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
    this.#cells.push(cell);
    return cell;
  }

  /** What the Registry formats: per cell its cumulative buckets, +Inf, sum and count (prom-client's shape). */
  async getForPromString() {
    const values: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.#cells) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += c.counts[i]!;
        values.push({ labels: { le }, sharedLabels: c.labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: c.labels, value: c.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: c.labels, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: c.labels, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same values with each cell's labels in `labels` (prom-client's `get`). */
  async get() {
    const m = await this.getForPromString();
    return {
      ...m,
      values: m.values.map(({ labels, sharedLabels, value, metricName }) => ({
        labels: { ...labels, ...sharedLabels },
        value,
        metricName,
      })),
    };
  }

  reset(): void {
    this.#cells = [];
    this.#routes = new Map();
  }
}

/** The route label of the not-found answer (no route matched). */
export const UNMATCHED_ROUTE = 'unmatched';

function observerFor(durations: RequestDurations, route: string) {
  const observe = durations.route(route);
  return (request: FastifyRequest, reply: FastifyReply) => {
    observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
  };
}

type RouteHook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/**
 * `onRoute`: an onRoute hook (add it before any route is registered) giving each route its
 * onResponse observer; `notFound`: the observer the not-found handler calls itself (Fastify's
 * not-found answer is not a route, so onRoute never sees it).
 */
export function routeMetrics(durations: RequestDurations) {
  return {
    onRoute(route: { url: string; onResponse?: RouteHook | RouteHook[] }) {
      const observe = observerFor(durations, route.url);
      const hook: RouteHook = (request, reply, done) => {
        observe(request, reply);
        done();
      };
      route.onResponse = route.onResponse ? [...[route.onResponse].flat(), hook] : [hook];
    },
    notFound: observerFor(durations, UNMATCHED_ROUTE),
  };
}

/**
 * npm run draw:verify -- --campaign ID [--url http://127.0.0.1:3000] [--ticket TICKET]
 *
 * Anyone can run it: it reads only the public draw routes, checks the revealed seed against the
 * commitment published before the opening, and recomputes the pre-room order. Exit 0 when the order
 * is the draw's, 1 when it is not (or not revealed yet), 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { verifyDraw } from './verify.ts';

const { values } = parseArgs({
  options: {
    campaign: { type: 'string' },
    url: { type: 'string' },
    ticket: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help || !values.campaign) {
  console.error('usage: npm run draw:verify -- --campaign ID [--url http://127.0.0.1:3000] [--ticket TICKET]');
  process.exit(values.help ? 0 : 2);
}
const base = (values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const verdict = await verifyDraw(
  async (path) => {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: await res.json() };
  },
  values.campaign,
  values.ticket ? { ticket: values.ticket } : {},
);
console.log(JSON.stringify(verdict, null, 2));
process.exit(verdict.isVerified ? 0 : 1);

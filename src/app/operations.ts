/**
 * The timers of the operations side, started by each process beside the app: the scheduled
 * publisher (approved campaign versions whose instant has come; the store's conditional publish
 * makes it safe in every process at once), the dashboard sampler (the console's history) and the
 * phone-lane feed (lane admissions to the admission leader's controller).
 */
import type { Logger } from 'pino';
import type { Services } from './compose.ts';

export function startOperations(
  services: Services,
  o: { publishPollMs: number; dashboardSampleMs: number },
  log: Logger,
): () => void {
  let publishing = false;
  const publish = setInterval(() => {
    if (publishing) return;
    publishing = true;
    services.reviews
      .publishDue()
      .then((done) => {
        for (const r of done)
          log.info({ campaignId: r.campaignId, version: r.version }, 'scheduled campaign version published');
      })
      .catch((e) => log.error({ err: e }, 'scheduled publish round failed'))
      .finally(() => {
        publishing = false;
      });
  }, o.publishPollMs);
  let sampling = false;
  let rounds = 0;
  const pruneEvery = Math.max(1, Math.round(60_000 / o.dashboardSampleMs));
  const sample = setInterval(() => {
    if (sampling) return;
    sampling = true;
    rounds += 1;
    services.campaigns
      .liveCampaigns()
      .then((live) => Promise.all([...live.keys()].map((id) => services.dashboard.recordSample(id))))
      .then(() => (rounds % pruneEvery === 0 ? services.dashboard.pruneHistory() : undefined))
      .catch((e) => log.error({ err: e }, 'dashboard sample failed'))
      .finally(() => {
        sampling = false;
      });
  }, o.dashboardSampleMs);
  // Phone-lane admissions made in any process, noted to the admission leader's room (agent.service.ts).
  let feeding = false;
  const laneFeed = setInterval(() => {
    if (feeding) return;
    feeding = true;
    services.campaigns
      .liveCampaigns()
      .then((live) => services.agents.feedLaneAdmissions(live.keys(), services.waitingRoom.isLeading()))
      .catch((e) => log.error({ err: e }, 'phone-lane feed failed'))
      .finally(() => {
        feeding = false;
      });
  }, 1_000);
  publish.unref();
  sample.unref();
  laneFeed.unref();
  return () => {
    clearInterval(publish);
    clearInterval(sample);
    clearInterval(laneFeed);
  };
}

/**
 * Campaign rules as data: load a campaign's latest rules into a JSON editor (version already
 * raised to the next one), validate (every problem in the console's language, with its place),
 * preview who could book at an instant read as Korea time, and save as a new version that waits
 * for review (the review page approves and publishes it; nothing goes live from here).
 */
import { useEffect, useState } from 'react';
import type { ApiResult } from '../shared/api.ts';
import { FailureNotice, Loading, failureOf, type Failure } from '../shared/failure.tsx';
import { seoulLocalToIso } from '../shared/format.ts';
import { useApi } from '../shared/use-api.ts';
import { useT } from './messages.ts';
import { opRequest, type Operator } from './operator-api.ts';
import { PreviewView, ProblemList, type Preview, type RuleProblem } from './EditorResults.tsx';
import type { EditorCampaignWire } from '../../../src/operator/operator.schemas.ts';
import type { ReviewView } from '../../../src/operator/review.schemas.ts';
import { useCampaignChoice } from './use-campaign-choice.ts';

type EditorCampaign = EditorCampaignWire;

type Outcome =
  | { kind: 'valid' }
  | { kind: 'problems'; problems: RuleProblem[] }
  | { kind: 'json'; message: string }
  | { kind: 'preview'; preview: Preview }
  | { kind: 'saved'; id: string; version: number }
  | { kind: 'failed'; failure: Failure };

/** The current minute in Seoul as a datetime-local value. */
function seoulNowLocal(): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Seoul',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date());
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

function outcomeOf<T>(r: ApiResult<T>, ok: (data: T) => Outcome): Outcome {
  if (r.ok) return ok(r.data);
  if (r.kind === 'problem' && Array.isArray(r.problem.problems))
    return { kind: 'problems', problems: r.problem.problems };
  return { kind: 'failed', failure: failureOf(r)! };
}

export function Editor({ operator }: { operator: Operator }) {
  const t = useT();
  const list = useApi(() => opRequest<{ campaigns: EditorCampaign[] }>('/api/operator/campaigns'), []);
  const campaigns = list.loaded.state === 'ok' ? list.loaded.data.campaigns : [];
  const [id, setId] = useCampaignChoice(campaigns);
  const [text, setText] = useState('');
  const [at, setAt] = useState(seoulNowLocal);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const selected = campaigns.find((c) => c.id === id);

  // A new campaign clears the last outcome; a save (new latest version) reloads the text for the
  // next version but keeps the "saved" notice on screen.
  useEffect(() => {
    setOutcome(null);
  }, [id]);
  useEffect(() => {
    if (selected)
      setText(
        JSON.stringify(
          { ...(selected.rules as Record<string, unknown>), version: selected.latestVersion + 1 },
          null,
          2,
        ),
      );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected?.id, selected?.latestVersion]);

  async function run(action: 'validate' | 'preview' | 'save') {
    let rules: unknown;
    try {
      rules = JSON.parse(text);
    } catch (e) {
      setOutcome({ kind: 'json', message: (e as Error).message });
      return;
    }
    const atIso = seoulLocalToIso(at);
    setBusy(true);
    setOutcome(null);
    if (action === 'validate')
      setOutcome(
        outcomeOf(await opRequest('/api/operator/campaigns/validate', { method: 'POST', body: { rules } }), () => ({
          kind: 'valid',
        })),
      );
    if (action === 'preview')
      setOutcome(
        outcomeOf(
          await opRequest<Preview>('/api/operator/campaigns/preview', { method: 'POST', body: { rules, at: atIso } }),
          (preview) => ({ kind: 'preview', preview }),
        ),
      );
    if (action === 'save') {
      const r = await opRequest<ReviewView>('/api/operator/campaigns', { method: 'POST', body: { rules } });
      setOutcome(outcomeOf(r, (s) => ({ kind: 'saved', id: s.campaignId, version: s.version })));
      if (r.ok) void list.reload(true);
    }
    setBusy(false);
  }

  return (
    <section aria-labelledby="editor-title">
      <h1 id="editor-title">{t('editorTitle')}</h1>
      {list.loaded.state === 'loading' && <Loading />}
      {list.loaded.state === 'failed' && (
        <FailureNotice failure={list.loaded.failure} onRetry={() => void list.reload()} />
      )}
      <div className="editor-grid">
        <div className="card">
          <div className="field">
            <label htmlFor="editor-campaign">{t('editorCampaign')}</label>
            <select id="editor-campaign" value={id} onChange={(e) => setId(e.target.value)}>
              {campaigns.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.id}
                </option>
              ))}
            </select>
            {selected && (
              <p className="hint">
                {t('editorVersions', { live: selected.liveVersion ?? '–', latest: selected.latestVersion })} ·{' '}
                {t('editorBumped', { next: selected.latestVersion + 1 })}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="editor-rules">{t('editorRules')}</label>
            <textarea
              id="editor-rules"
              spellCheck={false}
              rows={24}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
          <div className="actions">
            <button type="button" className="button" disabled={busy} onClick={() => void run('validate')}>
              {t('validate')}
            </button>
          </div>
          <div className="field row-field">
            <label htmlFor="preview-at">{t('previewAt')}</label>
            <input id="preview-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
            <button
              type="button"
              className="button"
              disabled={busy || !seoulLocalToIso(at)}
              onClick={() => void run('preview')}
            >
              {t('preview')}
            </button>
          </div>
          <div className="actions">
            <button type="button" className="button primary" disabled={busy} onClick={() => void run('save')}>
              {t('save')}
            </button>
          </div>
          <p className="hint">{t('saveHint')}</p>
          {operator.role === 'viewer' && <p className="hint">{t('viewerCannot')}</p>}
        </div>
        <div className="editor-results" aria-live="polite">
          {busy && <Loading />}
          {outcome?.kind === 'valid' && (
            <p className="notice notice-ok" data-testid="rules-valid">
              {t('valid')}
            </p>
          )}
          {outcome?.kind === 'json' && (
            <p className="notice notice-error" role="alert">
              {t('jsonError', { message: outcome.message })}
            </p>
          )}
          {outcome?.kind === 'problems' && <ProblemList problems={outcome.problems} />}
          {outcome?.kind === 'preview' && <PreviewView preview={outcome.preview} />}
          {outcome?.kind === 'saved' && (
            <p className="notice notice-ok" role="status">
              {t('saved', { id: outcome.id, version: outcome.version, live: t('savedPending') })}
            </p>
          )}
          {outcome?.kind === 'failed' && <FailureNotice failure={outcome.failure} />}
        </div>
      </div>
    </section>
  );
}

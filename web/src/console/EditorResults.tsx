/** What the editor shows after validate or preview: every rule problem, or who could book when. */
import type { PhasePreviewWire, PreviewWire } from '../../../src/operator/operator.schemas.ts';
import type { ProblemWire } from '../../../src/platform/http/problem.schemas.ts';
import { useLang } from '../shared/i18n.tsx';
import { formatDate, formatInstant, formatNumber } from '../shared/format.ts';
import { useT } from './messages.ts';

/** A rule problem as the server words it: both languages, and its place as a pointer and a label. */
export type RuleProblem = NonNullable<ProblemWire['problems']>[number];
export type PhasePreview = PhasePreviewWire;
export type Preview = PreviewWire;

export function ProblemList({ problems }: { problems: RuleProblem[] }) {
  const t = useT();
  const { lang } = useLang();
  return (
    <div className="notice notice-error" role="alert" data-testid="rule-problems">
      <p className="notice-title">{t('problemsTitle', { n: problems.length })}</p>
      <ul>
        {problems.map((p) => (
          <li key={p.path + p.message}>
            <strong>{p.place?.[lang] ?? p.path}</strong>: {p.messages?.[lang] ?? p.message}{' '}
            <span className="muted small">
              ({t('problemAt')} <code>{p.path || '/'}</code>)
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PreviewView({ preview }: { preview: Preview }) {
  const t = useT();
  const { lang } = useLang();
  return (
    <div className="card preview" data-testid="preview">
      <p className="preview-at">{formatInstant(preview.atMs, lang)}</p>
      <p className="big-number">{t('previewPeople', { n: formatNumber(preview.people, lang) })}</p>
      {preview.phases.length === 0 && <p>{t('previewNone')}</p>}
      <ul className="preview-phases">
        {preview.phases.map((p) => (
          <li key={p.phaseId}>
            <p>
              <strong>{p.label[lang]}</strong>{' '}
              <span className="muted">
                ({p.kind}, {p.phaseId})
              </span>{' '}
              — {t('previewPhasePeople', { n: formatNumber(p.people, lang) })}
            </p>
            <p className="small">
              {formatInstant(p.opensAtMs, lang)} – {formatInstant(p.closesAtMs, lang)}
            </p>
            <p className="small">
              {t('previewBorn', {
                ranges: p.bornRanges
                  .map((r) => `${formatDate(r.bornFrom, lang)} – ${formatDate(r.bornTo, lang)}`)
                  .join(', '),
              })}
            </p>
            {p.birthDayDigits && <p className="small">{t('previewDigits', { digits: p.birthDayDigits.join(', ') })}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}

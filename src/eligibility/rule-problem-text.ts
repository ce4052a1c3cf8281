/**
 * Rule problems as an operator reads them: the message in Korean and English, and the place in
 * the document as a JSON pointer plus a human label ("단계 2 '36~49세 추가 예약' › 종료 시각").
 * The English messages come from rules.ts and rules-checks.ts (a closed set of templates); each
 * template has its Korean form here. A message no template matches keeps its English words in the
 * Korean text after a generic Korean lead, so nothing is ever hidden.
 */
import type { RuleProblem } from './rules-checks.ts';

export interface LocalizedRuleProblem extends RuleProblem {
  readonly messages: { readonly ko: string; readonly en: string };
  readonly place: { readonly ko: string; readonly en: string };
}

const DESCRIPTIONS_KO: Record<string, string> = {
  'an id of 1-64 lowercase letters, digits and hyphens': '영문 소문자·숫자·하이픈 1~64자의 id여야 합니다',
  'a calendar date YYYY-MM-DD': 'YYYY-MM-DD 형식의 날짜여야 합니다',
  'an ISO 8601 instant with an explicit offset, e.g. 2021-07-19T20:00:00+09:00':
    '시간대가 명시된 ISO 8601 시각이어야 합니다 (예: 2021-07-19T20:00:00+09:00)',
  'a Seoul wall-clock time HH:MM between 00:00 and 23:59': '00:00~23:59 사이의 서울 시각 HH:MM이어야 합니다',
  'text without control characters': '제어 문자가 없는 글이어야 합니다',
};

const NOUN_KO: Record<string, string> = { cohort: '대상군', phase: '단계' };

/** English template → Korean, first match wins. */
const TEMPLATES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^is required$/, () => '필수 항목입니다'],
  [/^is not a known property \(check its spelling\)$/, () => '알 수 없는 항목입니다 (철자를 확인해 주세요)'],
  [/^must be an object$/, () => '객체여야 합니다'],
  [/^must be at least (.+)$/, (m) => `${m[1]} 이상이어야 합니다`],
  [/^must be at most (.+)$/, (m) => `${m[1]} 이하여야 합니다`],
  [/^must have at least (\d+) item\(s\)$/, (m) => `항목이 ${m[1]}개 이상 있어야 합니다`],
  [/^must be one of (.+)$/, (m) => `다음 중 하나여야 합니다: ${m[1]}`],
  [/^must not be before bornFrom \((.+)\)$/, (m) => `출생 시작일(bornFrom, ${m[1]})보다 앞설 수 없습니다`],
  [/^must be after opensAt$/, () => '시작 시각(opensAt)보다 뒤여야 합니다'],
  [/^must be (\d+) \(the next version after (\d+)\)$/, (m) => `${m[1]}이어야 합니다 (최신 버전 ${m[2]}의 다음 버전)`],
  [/^must be '(.+)'$/, (m) => `'${m[1]}'이어야 합니다`],
  [/^must be (.+)$/, (m) => DESCRIPTIONS_KO[m[1]!] ?? `형식이 올바르지 않습니다: ${m[1]}`],
  [/^(.+) is not a calendar date$/, (m) => `${m[1]}은(는) 달력에 없는 날짜입니다`],
  [/^(.+) is not a real date and time$/, (m) => `${m[1]}은(는) 존재하지 않는 날짜·시각입니다`],
  [
    /^duplicate (cohort|phase) id '(.+)' \(also at (.+)\)$/,
    (m) => `${NOUN_KO[m[1]!]} id '${m[2]}'가 중복됩니다 (${m[3]}에도 있음)`,
  ],
  [/^overlaps the cohort at (.+) for people born (.+)$/, (m) => `${m[1]}의 대상군과 출생일 ${m[2]} 구간이 겹칩니다`],
  [
    /^its birth range (.+) lies outside every cohort$/,
    (m) => `출생일 범위 ${m[1]}이(가) 어느 대상군에도 속하지 않습니다`,
  ],
  [
    /^people born (.+) are admitted by no phase and could never book$/,
    (m) => `출생일 ${m[1]}인 사람은 어느 단계에서도 예약할 수 없습니다`,
  ],
];

export function koreanRuleMessage(en: string): string {
  for (const [pattern, render] of TEMPLATES) {
    const m = pattern.exec(en);
    if (m) return render(m);
  }
  return `규칙 오류: ${en}`;
}

const FIELDS: Record<string, { ko: string; en: string }> = {
  id: { ko: 'id', en: 'id' },
  version: { ko: '버전', en: 'version' },
  name: { ko: '이름', en: 'name' },
  timeZone: { ko: '시간대', en: 'time zone' },
  proxyBooking: { ko: '대리예약', en: 'proxy booking' },
  bornFrom: { ko: '출생 시작일', en: 'born from' },
  bornTo: { ko: '출생 종료일', en: 'born to' },
  vaccine: { ko: '백신', en: 'vaccine' },
  code: { ko: '코드', en: 'code' },
  doseIntervalDays: { ko: '접종 간격(일)', en: 'dose interval (days)' },
  kind: { ko: '종류', en: 'kind' },
  label: { ko: '표시 이름', en: 'label' },
  opensAt: { ko: '시작 시각', en: 'opens at' },
  closesAt: { ko: '종료 시각', en: 'closes at' },
  firstDay: { ko: '첫날', en: 'first day' },
  days: { ko: '일수', en: 'days' },
  firstDigit: { ko: '첫 끝자리', en: 'first digit' },
  opensAtLocal: { ko: '시작 시각(서울)', en: 'opens at (Seoul)' },
  closesAtLocalNextDay: { ko: '다음 날 종료 시각(서울)', en: 'closes next day at (Seoul)' },
  notes: { ko: '메모', en: 'notes' },
  ko: { ko: '한국어', en: 'Korean' },
  en: { ko: '영어', en: 'English' },
};
const LISTS: Record<string, { ko: string; en: string }> = {
  cohorts: { ko: '대상군', en: 'Cohort' },
  phases: { ko: '단계', en: 'Phase' },
};

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** "단계 2 '36~49세 추가 예약' › 종료 시각" for /phases/1/closesAt of `document`. */
export function placeOf(pointer: string, document: unknown): { ko: string; en: string } {
  if (pointer === '' || pointer === '/') return { ko: '문서 전체', en: 'the whole document' };
  const tokens = pointer.split('/').slice(1).map(unescape);
  const ko: string[] = [];
  const en: string[] = [];
  let node: unknown = document;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const list = LISTS[token];
    const index = tokens[i + 1];
    if (list && index !== undefined && /^\d+$/.test(index)) {
      const item = Array.isArray((node as Record<string, unknown>)?.[token])
        ? (node as Record<string, unknown[]>)[token]![Number(index)]
        : undefined;
      const named = nameOf(item);
      ko.push(`${list.ko} ${Number(index) + 1}${named ? ` '${named.ko}'` : ''}`);
      en.push(`${list.en} ${Number(index) + 1}${named ? ` '${named.en}'` : ''}`);
      node = item;
      i += 1;
      continue;
    }
    ko.push(FIELDS[token]?.ko ?? token);
    en.push(FIELDS[token]?.en ?? token);
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[token] : undefined;
  }
  return { ko: ko.join(' › '), en: en.join(' › ') };
}

function nameOf(item: unknown): { ko: string; en: string } | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const r = item as { id?: unknown; label?: { ko?: unknown; en?: unknown } };
  const ko = typeof r.label?.ko === 'string' ? r.label.ko : typeof r.id === 'string' ? r.id : undefined;
  const en = typeof r.label?.en === 'string' ? r.label.en : typeof r.id === 'string' ? r.id : undefined;
  return ko && en ? { ko, en } : undefined;
}

export function localizeRuleProblems(problems: readonly RuleProblem[], document: unknown): LocalizedRuleProblem[] {
  return problems.map((p) => ({
    ...p,
    messages: { ko: koreanRuleMessage(p.message), en: p.message },
    place: placeOf(p.path, document),
  }));
}

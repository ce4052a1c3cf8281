/**
 * The one error table: every expected failure reason in the system, its HTTP status and the words
 * a citizen reads (Korean first). Routes never choose statuses for failures themselves; they hand a
 * Result to `sendResult` and this table renders RFC 9457 application/problem+json with a stable
 * `code`. Unknown failures never reach a service's Result: they are thrown and become the
 * `internal` 500, which hides their message (see app.ts).
 */
import type { FastifyReply } from 'fastify';
import type { Result } from '../result.ts';

interface Problem {
  status: number;
  en: string;
  ko: string;
  /** The problem's short title when it is not the English text itself. */
  title?: string;
}

export const PROBLEMS = {
  validation: { status: 400, en: 'Some fields are missing or not valid.', ko: '입력값을 확인해 주세요.' },
  'malformed-rrn': {
    status: 400,
    en: 'The resident registration number is not in the form YYMMDD-NNNNNNN.',
    ko: '주민등록번호 형식(YYMMDD-NNNNNNN)이 올바르지 않습니다.',
  },
  'invalid-rrn': {
    status: 400,
    en: 'The resident registration number is not valid. Please check it.',
    ko: '유효하지 않은 주민등록번호입니다. 다시 확인해 주세요.',
  },
  'not-found': { status: 404, en: 'Not found.', ko: '찾을 수 없습니다.' },
  unauthenticated: {
    status: 401,
    en: 'Please verify your identity first (your verification may have expired).',
    ko: '본인인증이 필요합니다(인증이 만료되었을 수 있습니다).',
  },
  'identity-mismatch': {
    status: 401,
    en: 'We could not verify you with these details. Check your name and number.',
    ko: '입력하신 정보로 본인인증을 할 수 없습니다. 이름과 번호를 확인해 주세요.',
  },
  'identity-provider-unavailable': {
    status: 503,
    en: 'The identity service is not answering. Please try again in a minute or use another provider.',
    ko: '본인인증 기관이 응답하지 않습니다. 잠시 후 다시 시도하거나 다른 인증 수단을 이용해 주세요.',
  },
  'campaign-not-found': {
    status: 404,
    en: 'There is no such vaccination campaign.',
    ko: '해당 예방접종 사전예약이 없습니다.',
  },
  'unknown-scenario': {
    status: 404,
    en: 'There is no such load scenario (data/scenarios).',
    ko: '해당 부하 시나리오(data/scenarios)가 없습니다.',
  },
  'unknown-opening': {
    status: 404,
    en: 'The campaign has no such opening.',
    ko: '해당 캠페인에 그런 예약 시작 시각이 없습니다.',
  },
  'no-registered-cohort': {
    status: 422,
    en: 'Nobody in the registered population is eligible for this campaign, so there is nothing to plan.',
    ko: '등록된 인구 중 이 캠페인의 대상자가 없어 계획할 것이 없습니다.',
  },
  'incomplete-bench-results': {
    status: 503,
    en: 'The benchmark results file lacks numbers the capacity plan needs; run npm run bench (the missing ones are listed).',
    ko: '벤치마크 결과 파일에 용량 계획에 필요한 수치가 없습니다. npm run bench를 실행해 주세요(빠진 항목이 나열됩니다).',
  },
  'invalid-rules': {
    status: 422,
    en: 'The campaign rules are not valid; every problem is listed.',
    ko: '캠페인 규칙이 올바르지 않습니다. 모든 문제를 확인해 주세요.',
  },
  'not-in-cohort': {
    status: 403,
    en: 'This campaign is not for your birth date.',
    ko: '이번 사전예약 대상이 아닙니다.',
  },
  'not-yet': { status: 403, en: 'Your booking window has not opened yet.', ko: '아직 예약 기간이 아닙니다.' },
  'window-closed': { status: 403, en: 'Your booking window has closed.', ko: '예약 기간이 끝났습니다.' },
  'already-booked': {
    status: 409,
    en: 'You already have a booking in this campaign. You can change or cancel it.',
    ko: '이미 예약하셨습니다. 예약 변경 또는 취소를 이용해 주세요.',
  },
  'slot-not-found': {
    status: 404,
    en: 'That appointment slot does not exist in this campaign.',
    ko: '해당 예약 일정이 없습니다.',
  },
  'slot-full': {
    status: 409,
    en: 'That slot has just filled up. Please pick another date or facility.',
    ko: '방금 해당 일정이 마감되었습니다. 다른 날짜나 기관을 선택해 주세요.',
  },
  'dose2-unavailable': {
    status: 409,
    en: 'There is no room for the second dose at this facility on its date. Please pick another facility or date.',
    ko: '이 기관에 2차 접종 일정이 없습니다. 다른 기관이나 날짜를 선택해 주세요.',
  },
  'wrong-rotation-group': {
    status: 403,
    en: 'This slot is reserved for another birth-day group.',
    ko: '다른 생일 끝자리 그룹에 배정된 일정입니다.',
  },
  'wrong-vaccine': {
    status: 409,
    en: 'This slot is for a different vaccine than your cohort receives.',
    ko: '대상 백신과 다른 백신의 일정입니다.',
  },
  'proxy-banned': {
    status: 403,
    en: 'Booking for someone else is not allowed in this campaign. They can book by phone.',
    ko: '이번 사전예약은 대리예약이 허용되지 않습니다. 전화 예약을 이용해 주세요.',
  },
  'booking-not-found': { status: 404, en: 'There is no such booking for you.', ko: '해당 예약이 없습니다.' },
  'booking-cancelled': { status: 409, en: 'This booking was already cancelled.', ko: '이미 취소된 예약입니다.' },
  'idempotency-conflict': {
    status: 409,
    en: 'This request key was already used for a different request.',
    ko: '이미 다른 요청에 사용된 요청 키입니다.',
  },
  'admission-required': {
    status: 401,
    en: 'Please wait your turn in the queue first; this page opens when you are admitted.',
    ko: '대기열에서 순서를 기다려 주세요. 입장 후에 이용할 수 있습니다.',
  },
  'admission-invalid': {
    status: 403,
    en: 'This admission is not valid for you on this device. Return to the queue: your place is kept.',
    ko: '이 기기에서 유효한 입장권이 아닙니다. 대기열로 돌아가 주세요. 순서는 유지됩니다.',
  },
  'admission-expired': {
    status: 403,
    en: 'Your admission has expired. Return to the queue to be admitted again.',
    ko: '입장 시간이 만료되었습니다. 대기열로 돌아가 다시 입장해 주세요.',
  },
  'admission-used': {
    status: 409,
    en: 'This admission was already used for a booking.',
    ko: '이미 예약에 사용된 입장권입니다.',
  },
  'before-opening': {
    status: 403,
    en: 'Booking has not opened yet (Korea time, server clock). Please wait in the queue.',
    ko: '아직 예약 시작 전입니다(한국 시간, 서버 기준). 대기열에서 기다려 주세요.',
  },
  'device-required': {
    status: 400,
    en: 'This browser did not send its device cookie. Allow cookies for this site and join the queue again.',
    ko: '기기 확인 쿠키가 없습니다. 쿠키를 허용한 뒤 다시 대기열에 들어와 주세요.',
  },
  'queue-other-device': {
    status: 409,
    en: 'Another device already holds a place for you. Continue there, or try again after the lock-out.',
    ko: '다른 기기에서 이미 대기 중입니다. 그 기기에서 계속하거나 잠금 해제 후 다시 시도해 주세요.',
  },
  'queue-ticket-invalid': {
    status: 403,
    en: 'This queue ticket is not valid. Join the queue again.',
    ko: '유효하지 않은 대기표입니다. 다시 대기열에 들어와 주세요.',
  },
  'queue-place-expired': {
    status: 410,
    en: 'Your turn came and passed while you were away. Join the queue again.',
    ko: '자리를 비운 사이 순서가 지났습니다. 다시 대기열에 들어와 주세요.',
  },
  'queue-completed': {
    status: 409,
    en: 'You have already booked in this campaign. See your booking.',
    ko: '이미 예약을 마치셨습니다. 예약 내역을 확인해 주세요.',
  },
  'turn-notice-off': {
    status: 409,
    en: 'This campaign does not send a message when your turn is near. Keep this page open.',
    ko: '이 예약은 차례 안내 문자를 보내지 않습니다. 이 화면을 열어 두세요.',
  },
  'turn-notice-not-yet': {
    status: 409,
    en: 'You can ask for the message once the queue has opened and your place is set. Keep this page open until then.',
    ko: '대기열이 열리고 순서가 정해진 뒤에 문자 안내를 신청할 수 있습니다. 그때까지 이 화면을 열어 두세요.',
  },
  'turn-notice-no-place': {
    status: 409,
    en: 'You no longer hold a waiting place, so no message can be sent. Join the queue again if you need to.',
    ko: '대기 중인 순서가 없어 문자를 보낼 수 없습니다. 필요하면 다시 대기열에 들어와 주세요.',
  },
  'draw-not-revealed': {
    status: 403,
    en: 'The pre-room draw is published when the queue opens; until then only its commitment is.',
    ko: '대기열 추첨 결과는 대기열이 열릴 때 공개됩니다. 그 전에는 검증값(해시)만 공개됩니다.',
  },
  'queue-not-found': {
    status: 404,
    en: 'This campaign has no waiting room open.',
    ko: '이 사전예약에는 열린 대기열이 없습니다.',
  },
  'queue-reference-invalid': {
    status: 400,
    en: 'This is not a queue reference: check the letters and digits (the last one is a check symbol).',
    ko: '대기 번호 형식이 올바르지 않습니다. 글자와 숫자를 확인해 주세요(마지막 글자는 확인용입니다).',
  },
  'queue-reference-unknown': {
    status: 404,
    en: 'No place in this queue has this reference yet.',
    ko: '이 대기열에 해당 대기 번호가 아직 없습니다.',
  },
  'operator-unauthenticated': {
    status: 401,
    en: 'Please log in to the operator console.',
    ko: '운영자 로그인이 필요합니다.',
  },
  'operator-forbidden': {
    status: 403,
    en: 'Your role may only view; an operator must make this change.',
    ko: '조회 권한만 있습니다. 운영자 권한이 필요합니다.',
  },
  'approver-required': {
    status: 403,
    en: 'Only an approver can approve a campaign version.',
    ko: '승인 권한이 있는 사람만 승인할 수 있습니다.',
  },
  'agent-required': {
    status: 403,
    en: 'Only a call-centre agent account can book for callers.',
    ko: '상담원 계정만 전화 예약을 할 수 있습니다.',
  },
  'agent-not-staff': {
    status: 403,
    en: 'A call-centre agent account can use the agent page only.',
    ko: '상담원 계정은 상담원 화면만 이용할 수 있습니다.',
  },
  'caller-unverified': {
    status: 401,
    en: "Verify the caller's identity first (the verification may have expired).",
    ko: '먼저 통화자의 본인인증을 해 주세요(인증이 만료되었을 수 있습니다).',
  },
  'lane-closed': {
    status: 403,
    en: 'Phone bookings are closed for this campaign: its phone lane has no quota. An operator sets it.',
    ko: '이 캠페인은 전화 예약 입장 몫이 없어 전화 예약을 받을 수 없습니다. 운영자가 설정해야 합니다.',
  },
  'lane-not-open': {
    status: 403,
    en: 'This campaign has not opened yet (server time): phone bookings open with the queue, not before it.',
    ko: '아직 예약 시작 전입니다(서버 기준). 전화 예약도 대기열과 함께 열립니다.',
  },
  'lane-paused': {
    status: 503,
    en: 'Admission is paused for this campaign, for the phone lane as for the queue. Try again when it resumes.',
    ko: '이 캠페인의 입장이 일시정지되어 전화 예약도 멈췄습니다. 재개되면 다시 시도해 주세요.',
  },
  'lane-full': {
    status: 429,
    en: "The phone lane's share of admissions is used up for now. Try again after the time given; the caller loses nothing.",
    ko: '지금은 전화 예약 입장 몫을 모두 사용했습니다. 안내된 시간 뒤에 다시 시도해 주세요. 통화자에게 불이익은 없습니다.',
  },
  'review-own-version': {
    status: 403,
    en: 'You wrote this version; another approver must approve it.',
    ko: '직접 작성한 버전은 승인할 수 없습니다. 다른 승인자가 승인해야 합니다.',
  },
  'review-not-found': {
    status: 404,
    en: 'There is no such campaign version under review.',
    ko: '검토 중인 해당 캠페인 버전이 없습니다.',
  },
  'review-wrong-state': {
    status: 409,
    en: 'This version is not in a state that allows this step (see its current state).',
    ko: '이 버전은 지금 이 단계를 진행할 수 없는 상태입니다. 현재 상태를 확인해 주세요.',
  },
  'review-stale': {
    status: 409,
    en: 'The live version changed after this version was reviewed; submit it again so its impact is measured against what is live now.',
    ko: '검토 이후 적용 중인 버전이 바뀌었습니다. 현재 적용 중인 버전과 비교하도록 다시 제출해 주세요.',
  },
  'review-publish-at-past': {
    status: 422,
    en: 'A scheduled publish must be in the future (server time).',
    ko: '예약 적용 시각은 현재(서버 시각) 이후여야 합니다.',
  },
  'operator-login-failed': {
    status: 401,
    en: 'Wrong user name or password.',
    ko: '아이디 또는 비밀번호가 올바르지 않습니다.',
  },
  'operator-locked': {
    status: 429,
    en: 'Too many failed logins for this account or from this address. Try again later.',
    ko: '로그인 실패가 너무 많습니다. 잠시 후 다시 시도해 주세요.',
  },
  csrf: {
    status: 403,
    en: 'The form expired. Reload the page and try again.',
    ko: '요청이 만료되었습니다. 새로고침 후 다시 시도해 주세요.',
  },
  'queue-busy': {
    status: 429,
    en: 'Very many people are joining right now. We will try again for you in a few seconds; nothing is lost.',
    ko: '지금 대기열에 들어오는 분이 매우 많습니다. 몇 초 뒤 자동으로 다시 시도합니다. 잃는 것은 없습니다.',
  },
  'too-many-requests': {
    status: 429,
    en: 'Too many requests. Please wait a moment; your place is kept.',
    ko: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요. 대기 순서는 유지됩니다.',
  },
  'database-unavailable': {
    status: 503,
    en: 'Bookings are not available for a moment. Please try again in a few seconds; a retry of the same request is safe.',
    ko: '예약 시스템이 잠시 응답하지 않습니다. 몇 초 뒤 다시 시도해 주세요. 같은 요청을 다시 보내도 안전합니다.',
  },
  busy: {
    status: 503,
    en: 'The service is busy. Please try again shortly; nothing was booked.',
    ko: '접속이 많습니다. 잠시 후 다시 시도해 주세요. 예약은 되지 않았습니다.',
  },
  internal: {
    status: 500,
    title: 'Internal error',
    en: 'Something went wrong on our side. Nothing was booked by this request; please try again.',
    ko: '일시적인 오류입니다. 이 요청으로 예약되지 않았습니다. 다시 시도해 주세요.',
  },
} as const satisfies Record<string, Problem>;

export type ProblemReason = keyof typeof PROBLEMS;

/**
 * The waiting room's refusals of a queue request (join, poll, leave) and their problem. Indexed by
 * the service's reason unions, so a reason the service gains without a row here is a compile error
 * (no index signature, no fallback). A ticket that cannot be trusted, for whatever reason, is one
 * answer to the citizen: join again.
 */
export const QUEUE_REFUSALS = {
  'unknown-campaign': 'queue-not-found',
  'other-device': 'queue-other-device',
  'already-completed': 'queue-completed',
  'place-expired': 'queue-place-expired',
  'other-identity': 'queue-ticket-invalid',
  malformed: 'queue-ticket-invalid',
  'bad-signature': 'queue-ticket-invalid',
  'other-campaign': 'queue-ticket-invalid',
  expired: 'queue-ticket-invalid',
  'too-many-joins': 'too-many-requests',
} as const satisfies Record<string, ProblemReason>;

/** "Text me when it is my turn" refusals (turn-notice.service.ts) and their problem. */
export const TURN_NOTICE_REFUSALS = {
  ...QUEUE_REFUSALS,
  'turn-notice-off': 'turn-notice-off',
  'turn-notice-not-yet': 'turn-notice-not-yet',
  'place-not-waiting': 'turn-notice-no-place',
} as const satisfies Record<string, ProblemReason>;

/**
 * The admission gate's refusals (every eligibility, slot and booking route) and their problem; the
 * same compile-time rule as QUEUE_REFUSALS. 'admission-ended' is expired unless the booking it was
 * for committed, which the gate tells from the refusal's detail (then 'admission-used').
 */
export const ADMISSION_REFUSALS = {
  'unknown-campaign': 'queue-not-found',
  'not-open': 'before-opening',
  expired: 'admission-expired',
  'admission-ended': 'admission-expired',
  malformed: 'admission-invalid',
  'bad-signature': 'admission-invalid',
  'other-campaign': 'admission-invalid',
  'other-identity': 'admission-invalid',
  'other-device': 'admission-invalid',
} as const satisfies Record<string, ProblemReason>;

export interface ProblemBody {
  type: string;
  code: string;
  title: string;
  status: number;
  detail: string;
  messages: { ko: string; en: string };
  [extension: string]: unknown;
}

export function problemBody(reason: ProblemReason, extra: Record<string, unknown> = {}): ProblemBody {
  const p: Problem = PROBLEMS[reason];
  return {
    type: `/problems/${reason}`,
    code: reason,
    title: p.title ?? p.en,
    status: p.status,
    detail: p.en,
    messages: { ko: p.ko, en: p.en },
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, reason: ProblemReason, extra: Record<string, unknown> = {}) {
  const body = problemBody(reason, extra);
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** Maps a service Result to HTTP: the value with `okStatus`, or the reason through the table. */
export function sendResult<T>(reply: FastifyReply, result: Result<T, ProblemReason>, okStatus = 200) {
  if (result.ok) return reply.code(okStatus).send(result.value);
  return sendProblem(reply, result.reason, result.detail ?? {});
}

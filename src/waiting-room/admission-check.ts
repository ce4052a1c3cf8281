/**
 * The "no back door" check, in one place for every caller (the HTTP routes and the simulator's
 * booking path): a valid admission token for this identity, this device and this campaign, checked
 * against the server's clock, answered in the error table's words.
 */
import { ADMISSION_REFUSALS } from '../platform/http/errors.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { WaitingRoomService } from './waiting-room.service.ts';

export type AdmissionProblem =
  | 'admission-required'
  | 'device-required'
  | 'admission-used'
  | (typeof ADMISSION_REFUSALS)[keyof typeof ADMISSION_REFUSALS];

export interface AdmissionClaim {
  campaignId: string;
  /** The `x-admission-token` the request carried, if any. */
  token: string | undefined;
  identityHash: string;
  /** The device cookie, if any. */
  deviceId: string | undefined;
}

/**
 * The admission a request is made under, or the problem that refuses it. `detail.reason` keeps the
 * waiting room's own reason (`bad-signature`, `other-identity`, …) for the client and the logs.
 */
export function admissionCheck(waitingRoom: Pick<WaitingRoomService, 'verifyAdmission'>) {
  return async (c: AdmissionClaim): Promise<Result<{ admissionId: string }, AdmissionProblem>> => {
    if (!c.token) return err('admission-required');
    if (!c.deviceId) return err('device-required');
    const v = await waitingRoom.verifyAdmission({
      campaignId: c.campaignId,
      token: c.token,
      identityHash: c.identityHash,
      deviceId: c.deviceId,
    });
    if (v.ok) return ok({ admissionId: v.value.admissionId });
    // 'admission-ended': the booking it was for committed (state completed), or it was given up or swept.
    const isUsed = v.reason === 'admission-ended' && v.detail?.state === 'completed';
    return err(isUsed ? 'admission-used' : ADMISSION_REFUSALS[v.reason], { reason: v.reason });
  };
}

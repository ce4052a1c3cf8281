/** Wire shape of "text me when it is my turn" (turn-notice.routes.ts); the citizen site imports its type. */
import { Type, type Static } from '@sinclair/typebox';

export const TurnNoticeSchema = Type.Object(
  {
    /** Whether this campaign offers the message at all (the operator's campaign setting). */
    isAvailable: Type.Boolean(),
    /** none: not asked; pending: the message will go out when the turn is near; sent: it went out. */
    state: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('sent')]),
  },
  { additionalProperties: false },
);

export type TurnNoticeWire = Static<typeof TurnNoticeSchema>;

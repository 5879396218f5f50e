import { deps } from './deps.js';
import { makeGetAck } from './get-ack.js';

/** POST /ack/{token} (no auth): the acknowledgement through a notice's link; the same handler as GET /ack/{token}. */
export const makePostAck = makeGetAck;
export const handler = makePostAck(deps());

/**
 * What a person reads when the connection ends: every close code of docs/protocol.md in plain
 * words. Codes the SDK retries by itself (1001, 1006, 1011, 1012, 1013) only show up here when
 * its attempts ran out.
 */
import { CloseCode } from '@nullroom/protocol';

export interface CloseText {
  readonly title: string;
  readonly detail: string;
}

export function describeClose(code: number): CloseText {
  switch (code) {
    case CloseCode.NORMAL:
      return { title: 'Chat ended', detail: 'You left the room.' };
    case CloseCode.ROOM_CLOSED:
      return {
        title: 'This chat was closed',
        detail: 'The room was closed. Its messages and keys are gone for good.',
      };
    case CloseCode.ROOM_EXPIRED:
      return {
        title: 'This chat expired',
        detail: 'The room was idle too long and was removed. Nothing of it was kept.',
      };
    case CloseCode.ROOM_DESTROYED:
      return {
        title: 'This chat was ended for safety',
        detail: 'A third person tried to join this two-person support room, so it was destroyed.',
      };
    case CloseCode.ROOM_NOT_FOUND:
      return {
        title: 'Chat not found',
        detail: 'This room does not exist any more. It may have been closed or emptied.',
      };
    case CloseCode.FORBIDDEN:
      return {
        title: 'Invite not valid',
        detail: 'The join token of this invite link is wrong. Ask for a new link.',
      };
    case CloseCode.UNAUTHORIZED:
      return {
        title: 'Not allowed',
        detail: 'This relay only accepts connections authorised by the site.',
      };
    case CloseCode.ROOM_FULL:
      return {
        title: 'Chat is full',
        detail: 'This room already has as many people as it allows.',
      };
    case CloseCode.BAD_REQUEST:
      return { title: 'Could not join', detail: 'The room address is malformed.' };
    case CloseCode.DUPLICATE_CLIENT_ID:
      return { title: 'Open elsewhere', detail: 'This chat is already open in another tab.' };
    case CloseCode.RATE_LIMITED:
      return { title: 'Slow down', detail: 'Too much was sent too fast. Reload to rejoin.' };
    case CloseCode.SLOW_CONSUMER:
      return {
        title: 'Connection too slow',
        detail: 'Messages could not be delivered fast enough. Reload to rejoin.',
      };
    case CloseCode.MESSAGE_TOO_BIG:
      return {
        title: 'Message too big',
        detail: 'The relay refused a message that was too large.',
      };
    case CloseCode.INVALID_PAYLOAD:
      return { title: 'Connection error', detail: 'The relay refused malformed data.' };
    case CloseCode.GOING_AWAY:
    case CloseCode.INTERNAL_ERROR:
    case CloseCode.SERVICE_RESTART:
    case CloseCode.TRY_AGAIN_LATER:
    case 1006:
      return {
        title: 'Connection lost',
        detail: 'The chat relay could not be reached. Check your connection and reload.',
      };
    default:
      return { title: 'Disconnected', detail: `The connection ended (code ${code}).` };
  }
}

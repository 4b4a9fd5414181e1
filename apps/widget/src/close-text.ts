/**
 * What a visitor reads when the connection ends, in the widget's words. Which code means what is
 * libs/client's one table (closeMeaning); this file only words each meaning, and TypeScript
 * refuses a meaning without words.
 */
import { CloseMeaning, closeMeaning, type CloseWording } from '@nullroom/client';

export interface CloseText {
  readonly title: string;
  readonly detail: string;
}

const WORDS: CloseWording<CloseText> = {
  [CloseMeaning.LEFT]: { title: 'Chat ended', detail: 'You left the room.' },
  [CloseMeaning.ROOM_CLOSED]: {
    title: 'This chat was closed',
    detail: 'The room was closed. Its messages and keys are gone for good.',
  },
  [CloseMeaning.ROOM_EXPIRED]: {
    title: 'This chat expired',
    detail: 'The room was idle too long and was removed. Nothing of it was kept.',
  },
  [CloseMeaning.ROOM_DESTROYED]: {
    title: 'This chat was ended for safety',
    detail: 'A third person tried to join this two-person support room, so it was destroyed.',
  },
  [CloseMeaning.ROOM_NOT_FOUND]: {
    title: 'Chat not found',
    detail: 'This room does not exist any more. It may have been closed or emptied.',
  },
  [CloseMeaning.TOKEN_REJECTED]: {
    title: 'Invite not valid',
    detail: 'The join token of this invite link is wrong. Ask for a new link.',
  },
  [CloseMeaning.UNAUTHORIZED]: {
    title: 'Not allowed',
    detail: 'This relay only accepts connections authorised by the site.',
  },
  [CloseMeaning.ROOM_FULL]: {
    title: 'Chat is full',
    detail: 'This room already has as many people as it allows.',
  },
  [CloseMeaning.BAD_REQUEST]: { title: 'Could not join', detail: 'The room address is malformed.' },
  [CloseMeaning.DUPLICATE_CLIENT]: {
    title: 'Open elsewhere',
    detail: 'This chat is already open in another tab.',
  },
  [CloseMeaning.RATE_LIMITED]: {
    title: 'Slow down',
    detail: 'Too much was sent too fast. Reload to rejoin.',
  },
  [CloseMeaning.SLOW_CONSUMER]: {
    title: 'Connection too slow',
    detail: 'Messages could not be delivered fast enough. Reload to rejoin.',
  },
  [CloseMeaning.MESSAGE_TOO_BIG]: {
    title: 'Message too big',
    detail: 'The relay refused a message that was too large.',
  },
  [CloseMeaning.INVALID_PAYLOAD]: {
    title: 'Connection error',
    detail: 'The relay refused malformed data.',
  },
  [CloseMeaning.UNREACHABLE]: {
    title: 'Connection lost',
    detail: 'The chat relay could not be reached. Check your connection and reload.',
  },
  [CloseMeaning.WRONG_CODE]: {
    title: 'Wrong code',
    detail: 'The code did not match. Check it with the person who gave it to you.',
  },
  [CloseMeaning.ROOM_LOCKED]: {
    title: 'Code used up',
    detail: 'Too many wrong codes were tried, so this room was closed. Ask for a new code.',
  },
  [CloseMeaning.NO_VERIFIER]: {
    title: 'Nobody there yet',
    detail: 'Nobody who knows the code is in the room. Try again in a moment.',
  },
  [CloseMeaning.CODE_TIMEOUT]: {
    title: 'Code not confirmed',
    detail: 'The other side did not confirm the code in time. Try again.',
  },
  [CloseMeaning.CODE_BUSY]: {
    title: 'Room busy',
    detail: 'Someone else is trying a code right now. Try again in a moment.',
  },
  [CloseMeaning.UNKNOWN]: { title: 'Disconnected', detail: 'The connection ended.' },
};

export function describeClose(code: number): CloseText {
  const meaning = closeMeaning(code);
  if (meaning === CloseMeaning.UNKNOWN) {
    return { title: WORDS.unknown.title, detail: `The connection ended (code ${code}).` };
  }
  return WORDS[meaning];
}

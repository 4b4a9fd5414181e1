import { hashJoinToken } from '../rooms/join-token';
import { BOOT, ROOM, aShape } from '../../test/support/fixtures';
import {
  CloseOutcome,
  closeOutcomeOf,
  closeStatus,
  decodeAdoptRequest,
  decodeHandoffReply,
  decodeHandoffRequest,
  decodeInternalRoute,
  decodeStandbyBatch,
  decodeTakeReply,
  encodeHandoffReply,
  encodeTakeReply,
  HandoffOutcome,
  type HandoffReply,
  handoffStatus,
  TakeOutcome,
  type TakeReply,
  takeStatus,
} from './peer-api';
import { decodeForwardedJoin, encodeForwardedJoin } from './forwarded-join';

const shape = aShape();

/** Anything a broken or hostile peer could send. */
const JUNK: unknown[] = [
  undefined,
  null,
  0,
  'x',
  [],
  {},
  { room: 'x' },
  { owner: 42 },
  { owner: '../etc' },
  { boot: 'short' },
  { room: { ...shape, maxParticipants: 9999 } },
  { room: { ...shape, tokenHash: undefined } },
  { room: { ...shape, mode: 'support' } },
  { room: { ...shape, roomId: 'not-a-uuid' } },
];

describe('the pod-to-pod API', () => {
  it('maps every handoff outcome to one status and back, both ways', () => {
    const replies: HandoffReply[] = [
      { outcome: HandoffOutcome.Moved, room: shape },
      { outcome: HandoffOutcome.Busy },
      { outcome: HandoffOutcome.MovedAway, owner: 'pod-2' },
      { outcome: HandoffOutcome.Missing, boot: BOOT },
    ];
    const statuses = new Set<number>();
    for (const reply of replies) {
      const status = handoffStatus(reply.outcome);
      statuses.add(status);
      const wire = JSON.parse(JSON.stringify(encodeHandoffReply(reply))) as unknown;
      expect(decodeHandoffReply(status, wire)).toEqual(reply);
    }
    expect(statuses.size).toBe(Object.values(HandoffOutcome).length);
  });

  it('maps take and close outcomes the same way', () => {
    const takes: TakeReply[] = [
      { outcome: TakeOutcome.Taken, room: shape },
      { outcome: TakeOutcome.Missing },
      { outcome: TakeOutcome.OwnerMismatch, owner: 'pod-3' },
    ];
    for (const reply of takes)
      expect(decodeTakeReply(takeStatus(reply.outcome), encodeTakeReply(reply))).toEqual(reply);
    for (const outcome of Object.values(CloseOutcome))
      expect(closeOutcomeOf(closeStatus(outcome))).toBe(outcome);
  });

  it('decodes junk from a peer to undefined, never throwing', () => {
    for (const body of JUNK) {
      for (const status of [200, 204, 404, 409, 410, 500]) {
        expect(() => decodeHandoffReply(status, body)).not.toThrow();
        expect(() => decodeTakeReply(status, body)).not.toThrow();
      }
      expect(decodeHandoffRequest(body)).toBeUndefined();
      expect(decodeAdoptRequest(body)).toBeUndefined();
      expect(decodeStandbyBatch(body)).toBeUndefined();
    }
    expect(decodeHandoffReply(200, { room: { ...shape, tokenHash: undefined } })).toBeUndefined();
    expect(decodeHandoffReply(503, { room: shape })).toBeUndefined();
  });

  it('routes only the documented method + path pairs', () => {
    expect(decodeInternalRoute('POST', `/internal/rooms/${ROOM}/handoff`)).toEqual({
      kind: 'handoff',
      roomId: ROOM,
    });
    expect(decodeInternalRoute('GET', `/internal/rooms/${ROOM}/handoff`)).toBeUndefined();
    expect(decodeInternalRoute('POST', '/internal/rooms/adopt')).toEqual({ kind: 'adopt' });
    expect(decodeInternalRoute('GET', '/internal/standby')).toEqual({ kind: 'standby-list' });
    expect(decodeInternalRoute('POST', `/internal/standby/${ROOM}/take`)).toEqual({
      kind: 'standby-take',
      roomId: ROOM,
    });
    for (const [m, p] of [
      ['GET', '/internal/rooms/nope'],
      ['DELETE', `/internal/rooms/${ROOM}`],
      ['GET', `/internal/rooms/${ROOM}/handoff/extra`],
      ['GET', '/rooms'],
    ] as const)
      expect(decodeInternalRoute(m, p)).toBeUndefined();
  });

  it('forwards a member with the hash of its token and a yes/no for its API key, nothing else', () => {
    const join = { roomId: ROOM, clientId: 'a:b', tokenHash: hashJoinToken('tok'), apiKeyOk: true };
    const query = encodeForwardedJoin(join);
    expect(query).not.toContain('tok&');
    expect(decodeForwardedJoin(new URLSearchParams(query))).toEqual(join);
    expect(decodeForwardedJoin(new URLSearchParams('roomId=x&clientId=y'))).toBeUndefined();
    expect(
      decodeForwardedJoin(new URLSearchParams(`roomId=${ROOM}&clientId=a&tokenHash=plaintext`)),
    ).toBeUndefined();
  });
});

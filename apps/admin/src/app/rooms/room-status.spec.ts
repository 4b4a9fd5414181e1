import { canJoin, roomStatus, statusLabel } from './room-status';

describe('room status', () => {
  it('tells a waiting visitor from a conversation in progress', () => {
    expect(roomStatus({ participants: 0, maxParticipants: 2 })).toBe('empty');
    expect(roomStatus({ participants: 1, maxParticipants: 2 })).toBe('waiting');
    expect(roomStatus({ participants: 2, maxParticipants: 2 })).toBe('active');
    expect(statusLabel('waiting')).toBe('Waiting');
    expect(statusLabel('active')).toBe('In conversation');
  });

  it('never offers the join that would destroy a full support room', () => {
    expect(canJoin({ participants: 1, maxParticipants: 2 })).toBe(true);
    expect(canJoin({ participants: 0, maxParticipants: 2 })).toBe(true);
    expect(canJoin({ participants: 2, maxParticipants: 2 })).toBe(false);
  });
});

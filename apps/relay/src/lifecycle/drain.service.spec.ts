import { FakeClock } from '../../test/support/fakes';
import { AppLogger } from '../common/logger';
import { type RelayGateway } from '../gateway/relay.gateway';
import { type OwnershipService } from '../ownership/ownership.service';
import { type Room } from '../rooms/room';
import { type RoomsService } from '../rooms/rooms.service';
import { DrainService } from './drain.service';

/** Records, with the fake clock's time, each step the drain takes. */
function fakes(clustered: boolean, clock: FakeClock) {
  const steps: string[] = [];
  const at = (step: string) => steps.push(`${clock.now() - start} ${step}`);
  const start = clock.now();
  const leftover = { id: 'left' } as Room;
  let open = 2;
  const rooms = {
    stopAccepting: (hold: boolean) => at(`rooms.stopAccepting(${hold})`),
    list: () => (clustered ? [leftover] : []),
    end: (room: Room, reason: string) => at(`rooms.end(${room.id}, ${reason})`),
    stop: () => at('rooms.stop'),
  } as unknown as RoomsService;
  const gateway = {
    get size() {
      return open;
    },
    stopAccepting: () => at('gateway.stopAccepting'),
    closeAllForRestart: () => {
      at('gateway.closeAllForRestart');
      clock.setTimeout(() => (open = 0), 40);
    },
    waitForClosed: async (ms: number) => {
      at(`gateway.waitForClosed(${ms})`);
      while (open > 0) await clock.sleep(25);
    },
    stop: () => at('gateway.stop'),
  } as unknown as RelayGateway;
  const ownership = {
    clustered,
    handOver: async (ms: number) => {
      at(`ownership.handOver(${ms})`);
      await clock.sleep(100);
    },
    releaseAll: () => Promise.resolve(at('ownership.releaseAll')),
    stop: () => Promise.resolve(at('ownership.stop')),
  } as unknown as OwnershipService;
  return { steps, rooms, gateway, ownership };
}

const CONFIG = { graceMs: 3000, reconnectJitterMs: 2000, timeoutMs: 10_000, handoffMs: 5000 };

describe('DrainService', () => {
  it('cluster: unready at once, 1012 after the grace, rooms handed over, released, stopped', async () => {
    const clock = new FakeClock();
    const { steps, rooms, gateway, ownership } = fakes(true, clock);
    const drain = new DrainService(CONFIG, rooms, gateway, ownership, clock, new AppLogger(false));
    drain.onDrained(() => Promise.resolve(void steps.push('hook')));
    const done = drain.drain();
    expect(drain.draining).toBe(true);
    await clock.elapse(3000 + 50 + 100);
    await done;
    expect(steps).toEqual([
      '0 rooms.stopAccepting(true)',
      '0 gateway.stopAccepting',
      '3000 gateway.closeAllForRestart',
      '3000 gateway.waitForClosed(10000)',
      '3050 gateway.stop',
      '3050 ownership.handOver(5000)',
      '3150 rooms.end(left, drained)',
      '3150 ownership.releaseAll',
      '3150 rooms.stop',
      '3150 ownership.stop',
      'hook',
    ]);
  });

  it('one pod: no handover, no release; a second drain() is a no-op', async () => {
    const clock = new FakeClock();
    const { steps, rooms, gateway, ownership } = fakes(false, clock);
    const drain = new DrainService(CONFIG, rooms, gateway, ownership, clock, new AppLogger(false));
    const done = drain.drain();
    await drain.drain();
    await clock.elapse(3100);
    await done;
    expect(
      steps.filter((s) => s.includes('ownership.handOver') || s.includes('releaseAll')),
    ).toEqual([]);
    expect(steps.filter((s) => s.includes('stopAccepting'))).toHaveLength(2);
  });
});

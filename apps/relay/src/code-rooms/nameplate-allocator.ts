import { codeRoomId } from '@nullroom/protocol';
import { DirectoryUnavailableError, type RoomDirectory, type RoomKeyDeriver } from '../cluster';
import { type Clock } from '../common/clock';
import { RelayError, RelayErrorCode } from '../common/relay.exception';
import { type RelayConfig } from '../config/config';
import { type Room } from '../rooms/room';
import { type RoomsService } from '../rooms/rooms.service';

/** Candidates drawn per decimal length before trying longer nameplates. */
const TRIES_PER_LENGTH = 4;
/**
 * Directory claims (one Redis round trip each) one create may spend before it gives up with 503.
 * Candidates this pod already knows to be taken (its own rooms, concurrent creates) cost none.
 */
const CLAIM_BUDGET = 16;
/** A nameplate whose room ended here is not handed out again for this long (late joiners). */
export const NAMEPLATE_QUARANTINE_MS = 30_000;

/**
 * Hands out nameplates cluster-wide through the room directory that already exists: the room id
 * of nameplate n is derived from n (codeRoomId), so "n is free" means "nobody owns that room id",
 * and taking it is the directory's atomic claim (a Lua script in Redis, see redis-scripts.ts).
 * Redis therefore holds nothing new: one more `room:<HMAC(CLUSTER_SECRET, roomId)>` entry, as
 * for any room; neither the nameplate nor the room id appears in clear.
 *
 * Short codes first: like Magic Wormhole, which gives out the lowest free number, a quiet relay
 * hands out one- and two-digit nameplates. Here the search draws at random among 1–9, then
 * 1–99, 1–999 … up to CODE_NAMEPLATE_MAX, at most 16 directory claims per create (no
 * cluster-wide scan);
 * keep CODE_NAMEPLATE_MAX well above the code rooms a cluster holds at once (docs/operations.md).
 * A nameplate is freed when its room ends (the directory entry is released).
 */
export class NameplateAllocator {
  /** Nameplates being claimed right now on this pod (two concurrent creates can't share one). */
  private readonly reserved = new Set<string>();
  private readonly recentlyEnded = new Map<string, number>();

  constructor(
    private readonly config: RelayConfig['codeRooms'],
    private readonly cluster: Pick<RelayConfig['cluster'], 'podName' | 'directoryTtlMs'>,
    private readonly directory: RoomDirectory,
    private readonly keys: RoomKeyDeriver,
    private readonly rooms: RoomsService,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    rooms.on('ended', (room) => {
      if (room.code !== undefined) this.recentlyEnded.set(room.code.nameplate, clock.now());
    });
  }

  /** A new code room with a free nameplate, owned by this pod. */
  async create(maxParticipants?: number): Promise<{ room: Room; joinToken: string }> {
    if (!this.rooms.isAccepting)
      throw new RelayError(RelayErrorCode.Draining, 'relay is restarting', 1);
    this.forgetOldEnds();
    let claims = 0;
    for (const nameplate of this.candidates()) {
      if (this.reserved.has(nameplate) || this.recentlyEnded.has(nameplate)) continue;
      const roomId = await codeRoomId(nameplate);
      // Checked again and reserved in one synchronous step (no await between): concurrent
      // creates on this pod never claim the same nameplate, which the directory alone would
      // allow (a pod re-claiming its own entry succeeds).
      if (this.reserved.has(nameplate) || this.rooms.get(roomId) !== undefined) continue;
      if (claims++ >= CLAIM_BUDGET) break;
      this.reserved.add(nameplate);
      try {
        const key = this.keys.keyFor(roomId);
        if (!(await this.claim(key))) continue;
        try {
          const { room, joinToken } = this.rooms.create({
            mode: 'code',
            ...(maxParticipants === undefined ? {} : { maxParticipants }),
            nameplate: { nameplate, roomId },
          });
          return { room, joinToken };
        } catch (error) {
          await this.directory.release([key], this.cluster.podName).catch(() => undefined);
          throw error;
        }
      } finally {
        this.reserved.delete(nameplate);
      }
    }
    throw new RelayError(
      RelayErrorCode.NameplatesExhausted,
      'no free nameplate right now, try again later',
      5,
    );
  }

  private async claim(key: ReturnType<RoomKeyDeriver['keyFor']>): Promise<boolean> {
    try {
      const result = await this.directory.claim(
        key,
        this.cluster.podName,
        this.cluster.directoryTtlMs,
      );
      return result.owned;
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) {
        // Without the directory two pods could hand out the same nameplate: refuse instead.
        throw new RelayError(
          RelayErrorCode.DirectoryUnavailable,
          'code rooms need the cluster directory, which is unavailable; try again shortly',
          5,
        );
      }
      throw error;
    }
  }

  /**
   * Random nameplates from ever longer ranges (1–9, 1–99, …), then every nameplate in turn from a
   * random start, so a small space is searched completely. No nameplate comes twice.
   */
  private *candidates(): Generator<string> {
    const max = this.config.nameplateMax;
    const tried = new Set<string>();
    for (let range = 9; range < max; range = range * 10 + 9) {
      for (let i = 0; i < TRIES_PER_LENGTH; i++) {
        const nameplate = this.pick(range);
        if (!tried.has(nameplate)) yield nameplate;
        tried.add(nameplate);
      }
    }
    const start = Math.floor(this.random() * max);
    for (let k = 0; k < max; k++) {
      const nameplate = String(((start + k) % max) + 1);
      if (!tried.has(nameplate)) yield nameplate;
    }
  }

  private pick(range: number): string {
    return String(1 + Math.floor(this.random() * range));
  }

  private forgetOldEnds(): void {
    const now = this.clock.now();
    for (const [nameplate, at] of this.recentlyEnded) {
      if (now - at >= NAMEPLATE_QUARANTINE_MS) this.recentlyEnded.delete(nameplate);
    }
  }
}

import { createHmac } from 'node:crypto';

/**
 * The only form in which a room reaches the directory: HMAC-SHA256(clusterSecret, roomId), hex.
 *
 * Redis is shared infrastructure with its own backups, replicas and MONITOR; a room id there would
 * be a room id on someone else's disk (BRIEF non-negotiable 1). A keyed hash (not a bare SHA-256)
 * means whoever reads Redis can't confirm a guessed room id without the cluster secret.
 *
 * The branded type makes "passed a raw room id to the directory" a compile error.
 */
export type RoomKey = string & { readonly __brand: 'RoomKey' };

/** 32 bytes of HMAC-SHA256, lowercase hex. The Redis directory refuses anything else. */
export const ROOM_KEY_PATTERN = /^[0-9a-f]{64}$/;

/** Below this the HMAC key is guessable; 32 bytes of randomness is what operators should use. */
export const MIN_CLUSTER_SECRET_BYTES = 16;

export function isRoomKey(value: unknown): value is RoomKey {
  return typeof value === 'string' && ROOM_KEY_PATTERN.test(value);
}

/**
 * Derives room keys with one secret. Build it once at boot from the validated config; the secret
 * stays inside this object (never logged, never in an error message).
 */
export class RoomKeyDeriver {
  readonly #secret: Buffer;

  constructor(clusterSecret: string | Uint8Array) {
    if (typeof clusterSecret !== 'string' && !(clusterSecret instanceof Uint8Array)) {
      throw new TypeError('clusterSecret: expected a string or bytes');
    }
    const secret = Buffer.from(clusterSecret);
    if (secret.byteLength < MIN_CLUSTER_SECRET_BYTES) {
      throw new RangeError(`clusterSecret: at least ${MIN_CLUSTER_SECRET_BYTES} bytes required`);
    }
    this.#secret = secret;
  }

  keyFor(roomId: string): RoomKey {
    if (typeof roomId !== 'string' || roomId.length === 0) {
      throw new TypeError('roomId: expected a non-empty string');
    }
    return createHmac('sha256', this.#secret).update(roomId, 'utf8').digest('hex') as RoomKey;
  }
}

/**
 * Numbers people compare out of band.
 *
 * Pairwise safety number (per pair of devices, stable across rooms and connections): each side's
 * half is 30 digits from SHA-512("safety-number" | identityKey); the two halves are sorted and
 * joined, so both people see the same 60 digits. It changes only if an identity key changes —
 * which is what a relay substituting keys would have to do.
 *
 * Group fingerprint (per epoch): 60 digits from SHA-512 over the room, the epoch, the committer,
 * the key commitment and every member's (id, identity key), sorted by id. Everyone in the epoch
 * who got the same secret and saw the same roster shows the same number; a committer that hands
 * different secrets to different members, or a relay that swaps an identity, makes them differ.
 */
import { ByteWriter, concat } from './bytes';
import { sha512 } from './primitives';
import { Label } from './wire';

/** 5 digits per 5 bytes (a 40-bit big-endian integer mod 100000), as in Signal's scheme. */
function digits(hash: Uint8Array, groups: number): string[] {
  const out: string[] = [];
  for (let g = 0; g < groups; g++) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 256 + hash[g * 5 + i]!;
    out.push(String(v % 100000).padStart(5, '0'));
  }
  return out;
}

export async function safetyNumberHalf(identityKey: Uint8Array): Promise<string[]> {
  return digits(await sha512(concat(Label.SAFETY, identityKey)), 6);
}

/** The 60-digit number for a pair of identities, in groups of 5; order of arguments is irrelevant. */
export async function safetyNumber(a: Uint8Array, b: Uint8Array): Promise<string> {
  const halves = [
    (await safetyNumberHalf(a)).join(' '),
    (await safetyNumberHalf(b)).join(' '),
  ].sort();
  return `${halves[0]} ${halves[1]}`;
}

export interface FingerprintInput {
  readonly roomId: string;
  readonly epoch: number;
  readonly committer: string;
  readonly keyCommitment: Uint8Array;
  readonly members: readonly { readonly id: string; readonly identityKey: Uint8Array }[];
}

export async function groupFingerprint(input: FingerprintInput): Promise<string> {
  const w = new ByteWriter()
    .bytes(Label.FINGERPRINT)
    .str8(input.roomId)
    .u32(input.epoch)
    .str8(input.committer)
    .bytes(input.keyCommitment)
    .u16(input.members.length);
  const sorted = [...input.members].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  for (const m of sorted) w.str8(m.id).bytes(m.identityKey);
  return digits(await sha512(w.finish()), 12).join(' ');
}

/**
 * The contract between the client SDK and an end-to-end group session. The SDK only moves bytes
 * and presence in and out of it; everything cryptographic stays behind this interface, so an
 * MLS (RFC 9420) implementation — where WRAP becomes a Commit+Welcome and the key package an MLS
 * KeyPackage — can replace `NullroomSession` without touching the client.
 *
 * The session is transport-agnostic ("sans I/O"): every call returns the frames to send and the
 * events to surface. Calls are serialized internally; callers may invoke them concurrently.
 */
import { type Bytes } from './bytes';
import { type ChatContent, type DeliveredContent, type FileOffer } from './content';
import { type E2eeError } from './errors';

export interface Outbound {
  /** Unicast to this member (relay SEND_TO); broadcast (SEND) when absent. */
  readonly to?: string;
  readonly payload: Bytes;
}

export type SessionEvent =
  /** A member's signed handshake was verified; its identity key is now known. */
  | { readonly type: 'peer'; readonly peerId: string; readonly identityKey: Bytes }
  /** A new epoch (group key) is in force: after every join and leave. */
  | {
      readonly type: 'epoch';
      readonly epoch: number;
      readonly committer: string;
      readonly members: readonly string[];
      readonly fingerprint: string;
    }
  | {
      readonly type: 'message';
      readonly from: string;
      /** Stable id `sender/epoch/seq`, referenced by read receipts. */
      readonly id: string;
      readonly content: DeliveredContent;
    }
  | {
      readonly type: 'file-chunk';
      readonly from: string;
      /** Hex file id, as in the manifest's message. */
      readonly fileId: string;
      readonly index: number;
      readonly data: Bytes;
      readonly last: boolean;
    }
  /** A frame was refused. Nothing from it was delivered (fail closed). */
  | { readonly type: 'rejected'; readonly from?: string; readonly error: E2eeError };

export interface SessionOutput {
  readonly outbound: readonly Outbound[];
  readonly events: readonly SessionEvent[];
}

export interface MemberInfo {
  readonly id: string;
  /** True once the member's signed handshake has been verified. */
  readonly verified: boolean;
  readonly identityKey?: Bytes;
  /** True if the member holds the current epoch's key. */
  readonly inEpoch: boolean;
}

export interface FileOptions {
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly chunkSize?: number;
  readonly preview?: { readonly mime: string; readonly data: Uint8Array };
}

export interface OutgoingFile {
  /** Hex file id. */
  readonly fileId: string;
  readonly manifest: FileOffer;
  readonly chunkCount: number;
  /** The signed MESSAGE carrying the manifest; send it before the chunks. */
  readonly manifestFrame: Bytes;
  /** Seals chunk `index` (strictly in order). Refuses if a member left since the file started. */
  sealChunk(index: number, data: Uint8Array): Promise<Bytes>;
}

export interface GroupSession {
  readonly roomId: string;
  readonly selfId: string;
  /** The epoch in force, 0 before the first. */
  readonly epoch: number;
  readonly closed: boolean;

  /** Call once after the relay's WELCOME with the members already present, in join order. */
  start(members: readonly string[]): Promise<SessionOutput>;
  memberJoined(id: string): Promise<SessionOutput>;
  memberLeft(id: string): Promise<SessionOutput>;
  /** A payload the relay delivered from `from` (its stamped sender id). */
  receive(from: string, payload: Uint8Array): Promise<SessionOutput>;
  /** Encrypts and signs for the current epoch; throws SessionStateError before the first. */
  encrypt(content: ChatContent): Promise<{ readonly id: string; readonly payload: Bytes }>;
  prepareFile(options: FileOptions): Promise<OutgoingFile>;
  /** Drops frames that waited too long and file streams that stalled. */
  expire(nowMs: number): Promise<SessionOutput>;

  members(): readonly MemberInfo[];
  /** Group fingerprint of the current epoch, for out-of-band comparison. */
  fingerprint(): string | undefined;
  /** Pairwise safety number with a verified member. */
  safetyNumber(peerId: string): Promise<string | undefined>;
  /** Forgets every key. */
  close(): void;
}

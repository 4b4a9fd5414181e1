/**
 * NullroomSession: the group session behind `GroupSession`.
 *
 * Membership follows the relay's presence (WELCOME, JOINED, LEFT) in join order. The oldest
 * present member is the committer: after every join (once the newcomer's handshake verified) and
 * every leave it starts a new epoch with a fresh random group secret wrapped for each member
 * (WRAP). The relay is untrusted for everything but delivery: every handshake, commit, message
 * and chunk is signed by the sender's identity key and checked against the relay-stamped sender.
 *
 * Ordering rules, all failing closed:
 * - a commit must come from the committer, carry a higher epoch than any seen, pin every
 *   member's key package exactly as verified here, and include us to be usable;
 * - messages carry (epoch, seq); per sender and epoch seq must be exactly the next one
 *   (lower: ReplayError, higher: SequenceError — a drop or a reorder);
 * - frames that can't be processed yet (a message for an epoch whose commit is still on the
 *   way, a commit naming a member whose handshake hasn't arrived) wait in a bounded queue, in
 *   arrival order per sender, and time out.
 */
import { type Bytes, bytesEqual, concat, toHex } from './bytes';
import {
  type ChatContent,
  chunkCountFor,
  toOffer,
  DEFAULT_CHUNK_SIZE,
  FILE_SECRET_BYTES,
  type FileManifest,
  MAX_CHUNK_SIZE,
  MAX_CHUNKS,
  MIN_CHUNK_SIZE,
  MAX_PREVIEW_BYTES,
} from './content';
import {
  ContextMismatchError,
  type E2eeError,
  E2eeErrorCode,
  FileIntegrityError,
  InvalidKeyError,
  MalformedFrameError,
  MembershipError,
  ReplayError,
  SequenceError,
  SessionStateError,
  SignatureError,
} from './errors';
import {
  type FileOptions,
  type GroupSession,
  type MemberInfo,
  type Outbound,
  type OutgoingFile,
  type SessionEvent,
  type SessionOutput,
} from './group-session';
import {
  decodeHandshake,
  encodeHandshake,
  type KeyPackage,
  keyPackageSignedPart,
  keyPackageSigningInput,
  NONCE_BYTES,
  replySigningInput,
} from './handshake';
import { type Identity } from './identity';
import {
  deriveFileKey,
  deriveKeyCommitment,
  deriveSenderKey,
  deriveWrapKey,
  importGroupSecret,
  WRAP_NONCE,
} from './keys';
import { FILE_ID_BYTES } from './message-frame';
import { groupFingerprint, safetyNumber } from './fingerprint';
import {
  aesGcmOpen,
  aesGcmSeal,
  ecdhHkdfKey,
  ed25519Verify,
  type EphemeralKeyPair,
  generateEphemeral,
  importEd25519Public,
  importEphemeralPublic,
  sha256,
} from './primitives';
import { randomBytes } from './platform';
import {
  type MessageContext,
  openChunk,
  openMessage,
  sealChunk,
  sealMessage,
  verifyChunk,
  verifyMessage,
} from './seal';
import {
  decodeWrap,
  encodeWrapUnsigned,
  GROUP_SECRET_BYTES,
  type WrapEntry,
  type WrapFrame,
  wrapAad,
  wrapKeyInfo,
  wrapSigningInput,
} from './wrap';
import { FrameKind, peekKind, roomTag } from './wire';

export interface SessionOptions {
  readonly roomId: string;
  readonly selfId: string;
  readonly identity: Identity;
  /** Derive keys extractable: tests and vectors only. */
  readonly extractableKeys?: boolean;
  /** How many epochs stay readable for frames still in flight (current included). */
  readonly epochsKept?: number;
  readonly pendingLimit?: number;
  readonly pendingTtlMs?: number;
  readonly fileTtlMs?: number;
  readonly now?: () => number;
  /** Test hook: fixed ephemeral key and nonce for golden vectors. */
  readonly ephemeral?: EphemeralKeyPair;
  readonly nonce?: Uint8Array;
}

interface Peer {
  readonly id: string;
  readonly keyPackage: KeyPackage;
  readonly kpHash: Bytes;
  readonly identityKey: CryptoKey;
  readonly pairKey: CryptoKey;
}

interface Epoch {
  readonly epoch: number;
  readonly committer: string;
  readonly groupKey: CryptoKey;
  readonly keyCommitment: Bytes;
  /** member id → key-package hash, as the commit pinned it. */
  readonly members: ReadonlyMap<string, Bytes>;
  readonly fingerprint: string;
  readonly senderKeys: Map<string, CryptoKey>;
  readonly nextSeq: Map<string, number>;
}

interface IncomingFile {
  readonly manifest: FileManifest;
  readonly key: CryptoKey;
  next: number;
  lastProgressAt: number;
}

interface Pending {
  readonly from: string;
  readonly payload: Uint8Array;
  readonly kind: FrameKind;
  readonly at: number;
}

/** What processing a frame came to. */
type Step = { readonly wait: true } | { readonly wait: false; readonly changed: boolean };
const WAIT: Step = { wait: true };
const DONE: Step = { wait: false, changed: false };
const CHANGED: Step = { wait: false, changed: true };

class Collector {
  readonly outbound: Outbound[] = [];
  readonly events: SessionEvent[] = [];
  reject(error: E2eeError, from?: string): void {
    this.events.push({ type: 'rejected', error, ...(from === undefined ? {} : { from }) });
  }
  result(): SessionOutput {
    return { outbound: this.outbound, events: this.events };
  }
}

const EMPTY = new Uint8Array(0);

export class NullroomSession implements GroupSession {
  readonly roomId: string;
  readonly selfId: string;
  private readonly identity: Identity;
  private readonly extractable: boolean;
  private readonly epochsKept: number;
  private readonly pendingLimit: number;
  private readonly pendingTtlMs: number;
  private readonly fileTtlMs: number;
  private readonly now: () => number;

  private ctx!: MessageContext;
  private ephemeral!: EphemeralKeyPair;
  private keyPackage!: KeyPackage;
  private kpHash!: Bytes;

  /** Presence in join order, self included. The first is the committer. */
  private order: string[] = [];
  private readonly peers = new Map<string, Peer>();
  private readonly seenKeyPackages = new Set<string>();
  private readonly epochs = new Map<number, Epoch>();
  private current: Epoch | undefined;
  private sendSeq = 0;
  private highestEpoch = 0;
  /** Highest epoch whose commit left us out: its messages are never readable here. */
  private excludedUpTo = 0;
  private pending: Pending[] = [];
  private readonly files = new Map<string, IncomingFile>();
  private lock: Promise<unknown> = Promise.resolve();
  private isClosed = false;

  private constructor(options: SessionOptions) {
    if (typeof options.roomId !== 'string' || options.roomId.length === 0)
      throw new TypeError('roomId: required');
    if (typeof options.selfId !== 'string' || options.selfId.length === 0)
      throw new TypeError('selfId: required');
    this.roomId = options.roomId;
    this.selfId = options.selfId;
    this.identity = options.identity;
    this.extractable = options.extractableKeys ?? false;
    this.epochsKept = Math.max(1, options.epochsKept ?? 3);
    this.pendingLimit = options.pendingLimit ?? 512;
    this.pendingTtlMs = options.pendingTtlMs ?? 30_000;
    this.fileTtlMs = options.fileTtlMs ?? 60_000;
    this.now = options.now ?? (() => Date.now());
  }

  /** Creates a session for one connection: a fresh ephemeral key and a signed key package. */
  static async create(options: SessionOptions): Promise<NullroomSession> {
    const session = new NullroomSession(options);
    const ephemeral = options.ephemeral ?? (await generateEphemeral());
    const nonce = options.nonce ?? randomBytes(NONCE_BYTES);
    if (nonce.byteLength !== NONCE_BYTES) throw new RangeError('nonce: must be 16 bytes');
    const unsigned = keyPackageSignedPart(
      options.roomId,
      options.selfId,
      nonce,
      options.identity.publicKey,
      ephemeral.publicKey,
    );
    const signature = await options.identity.sign(keyPackageSigningInput(unsigned));
    const bytes = concat(unsigned, signature);
    const decoded = decodeHandshake(encodeHandshake(bytes));
    if (!decoded.ok) throw new RangeError('roomId/selfId: do not fit a key package');
    session.ephemeral = ephemeral;
    session.keyPackage = decoded.value.keyPackage;
    session.kpHash = await sha256(bytes);
    session.seenKeyPackages.add(toHex(session.kpHash));
    session.ctx = {
      roomId: options.roomId,
      roomTag: await roomTag(options.roomId),
      sender: options.selfId,
    };
    return session;
  }

  get epoch(): number {
    return this.current?.epoch ?? 0;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  start(members: readonly string[]): Promise<SessionOutput> {
    return this.serial(async (out) => {
      this.order = [...members.filter((m) => m !== this.selfId), this.selfId];
      out.outbound.push({ payload: encodeHandshake(this.keyPackage.bytes) });
      if (this.isCommitter()) await this.commit(out);
    });
  }

  memberJoined(id: string): Promise<SessionOutput> {
    return this.serial((out) => {
      if (id !== this.selfId && !this.order.includes(id)) this.order.push(id);
      return this.drain(out);
    });
  }

  memberLeft(id: string): Promise<SessionOutput> {
    return this.serial(async (out) => {
      if (id === this.selfId || !this.order.includes(id)) return;
      this.order = this.order.filter((m) => m !== id);
      this.peers.delete(id);
      for (const key of [...this.files.keys()])
        if (key.startsWith(`${id}:`)) this.files.delete(key);
      // Re-key on every leave, so the member who left can't read on.
      if (this.isCommitter()) await this.commit(out);
      await this.drain(out);
    });
  }

  receive(from: string, payload: Uint8Array): Promise<SessionOutput> {
    return this.serial(async (out) => {
      const kind = peekKind(payload);
      if (!kind.ok) return out.reject(kind.error, from);
      if (from === this.selfId)
        return out.reject(
          new ContextMismatchError(E2eeErrorCode.SENDER_MISMATCH, 'frame stamped with our own id'),
          from,
        );
      if (this.pending.length >= this.pendingLimit) {
        const dropped = this.pending.shift()!;
        out.reject(
          new SessionStateError(E2eeErrorCode.PENDING_OVERFLOW, 'too many frames waiting'),
          dropped.from,
        );
      }
      this.pending.push({ from, payload, kind: kind.value, at: this.now() });
      await this.drain(out);
    });
  }

  encrypt(content: ChatContent): Promise<{ id: string; payload: Bytes }> {
    return this.exclusive(async () => {
      const epoch = this.requireEpoch();
      const seq = this.nextSendSeq();
      const key = await this.senderKey(epoch, this.selfId, this.kpHash);
      const payload = await sealMessage(this.ctx, key, this.identity, epoch.epoch, seq, content);
      return { id: `${this.selfId}/${epoch.epoch}/${seq}`, payload };
    });
  }

  prepareFile(options: FileOptions): Promise<OutgoingFile> {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (typeof options.name !== 'string') throw new TypeError('name: must be a string');
    if (!Number.isInteger(options.size) || options.size < 0 || options.size > 0xffffffff)
      throw new RangeError('size: must be a 32-bit unsigned integer');
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE)
      throw new RangeError('chunkSize: out of range');
    const chunkCount = chunkCountFor(options.size, chunkSize);
    if (chunkCount > MAX_CHUNKS) throw new RangeError('size: too many chunks');
    if (options.preview && options.preview.data.byteLength > MAX_PREVIEW_BYTES)
      throw new RangeError('preview: larger than 64 KiB');
    return this.exclusive(async () => {
      const epoch = this.requireEpoch();
      const fileId = randomBytes(FILE_ID_BYTES);
      const secret = randomBytes(FILE_SECRET_BYTES);
      const manifest: FileManifest = {
        fileId,
        secret,
        name: options.name,
        mime: options.mime,
        size: options.size,
        chunkSize,
        chunkCount,
        ...(options.preview
          ? { preview: { mime: options.preview.mime, data: new Uint8Array(options.preview.data) } }
          : {}),
      };
      const key = await deriveFileKey(secret, this.roomId, fileId, this.selfId, this.extractable);
      const seq = this.nextSendSeq();
      const senderKey = await this.senderKey(epoch, this.selfId, this.kpHash);
      const manifestFrame = await sealMessage(
        this.ctx,
        senderKey,
        this.identity,
        epoch.epoch,
        seq,
        { type: 'file', manifest },
      );
      secret.fill(0);
      const recipients = [...epoch.members.keys()];
      let next = 0;
      return {
        fileId: toHex(fileId),
        manifest: toOffer(manifest),
        chunkCount,
        manifestFrame,
        sealChunk: (index: number, data: Uint8Array) =>
          this.exclusive(async () => {
            if (this.isClosed) throw new SessionStateError(E2eeErrorCode.CLOSED, 'session closed');
            if (index !== next) throw new RangeError('index: chunks must be sealed in order, once');
            const last = index === chunkCount - 1;
            const expected = last ? options.size - chunkSize * (chunkCount - 1) : chunkSize;
            if (data.byteLength !== expected)
              throw new RangeError(`data: chunk ${index} must be ${expected} bytes`);
            // Whoever held the file key and has left must not get the rest of the stream.
            const present = new Set(this.current?.members.keys() ?? []);
            if (recipients.some((m) => !present.has(m))) {
              throw new FileIntegrityError(
                'a member left during the transfer; send the file again',
              );
            }
            next++;
            return sealChunk(this.ctx, key, this.identity, fileId, index, last, data, chunkSize);
          }),
      };
    });
  }

  expire(nowMs: number): Promise<SessionOutput> {
    return this.serial((out) => {
      const keep: Pending[] = [];
      for (const p of this.pending) {
        if (nowMs - p.at > this.pendingTtlMs) {
          out.reject(
            new SessionStateError(
              E2eeErrorCode.TIMEOUT,
              'frame waited too long for its key or handshake',
            ),
            p.from,
          );
        } else keep.push(p);
      }
      this.pending = keep;
      for (const [key, file] of this.files) {
        if (nowMs - file.lastProgressAt > this.fileTtlMs) {
          this.files.delete(key);
          out.reject(
            new FileIntegrityError('file stream stalled or was truncated'),
            key.split(':')[0],
          );
        }
      }
    });
  }

  members(): readonly MemberInfo[] {
    return this.order.map((id) => {
      const identityKey =
        id === this.selfId ? this.identity.publicKey : this.peers.get(id)?.keyPackage.identityKey;
      return {
        id,
        verified: id === this.selfId || this.peers.has(id),
        inEpoch: this.current?.members.has(id) ?? false,
        ...(identityKey ? { identityKey } : {}),
      };
    });
  }

  fingerprint(): string | undefined {
    return this.current?.fingerprint;
  }

  async safetyNumber(peerId: string): Promise<string | undefined> {
    const peer = this.peers.get(peerId);
    return peer ? safetyNumber(this.identity.publicKey, peer.keyPackage.identityKey) : undefined;
  }

  close(): void {
    this.isClosed = true;
    this.peers.clear();
    this.epochs.clear();
    this.files.clear();
    this.pending = [];
    this.current = undefined;
  }

  // --- serialization ------------------------------------------------------------------------

  private serial(fn: (out: Collector) => Promise<void> | void): Promise<SessionOutput> {
    return this.exclusive(async () => {
      const out = new Collector();
      if (!this.isClosed) await fn(out);
      return out.result();
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private requireEpoch(): Epoch {
    if (this.isClosed) throw new SessionStateError(E2eeErrorCode.CLOSED, 'session closed');
    if (!this.current) throw new SessionStateError(E2eeErrorCode.NOT_READY, 'no group key yet');
    return this.current;
  }

  private nextSendSeq(): number {
    if (this.sendSeq > 0xffffffff)
      throw new SessionStateError(E2eeErrorCode.NOT_READY, 'sequence exhausted; wait for a re-key');
    return this.sendSeq++;
  }

  private isCommitter(): boolean {
    return this.order[0] === this.selfId;
  }

  private senderKey(epoch: Epoch, sender: string, kpHash: Uint8Array): Promise<CryptoKey> {
    const cached = epoch.senderKeys.get(sender);
    if (cached) return Promise.resolve(cached);
    return deriveSenderKey(
      epoch.groupKey,
      this.roomId,
      epoch.epoch,
      sender,
      kpHash,
      this.extractable,
    ).then((key) => {
      epoch.senderKeys.set(sender, key);
      return key;
    });
  }

  // --- the pending queue --------------------------------------------------------------------

  /**
   * Processes waiting frames in arrival order. Messages and chunks from a sender never overtake
   * an earlier one of the same sender that still waits; handshakes and commits may, since they
   * are what unblocks the rest.
   */
  private async drain(out: Collector): Promise<void> {
    for (let again = true; again;) {
      again = false;
      const blocked = new Set<string>();
      const keep: Pending[] = [];
      for (const p of this.pending) {
        const ordered = p.kind === FrameKind.MESSAGE || p.kind === FrameKind.FILE_CHUNK;
        if (again || (ordered && blocked.has(p.from))) {
          keep.push(p);
          continue;
        }
        const step = await this.process(p, out);
        if (step.wait) {
          keep.push(p);
          if (ordered) blocked.add(p.from);
        } else if (step.changed) {
          again = true;
        }
      }
      this.pending = keep;
    }
  }

  private async process(p: Pending, out: Collector): Promise<Step> {
    switch (p.kind) {
      case FrameKind.HANDSHAKE:
        return this.onHandshake(p.from, p.payload, out);
      case FrameKind.WRAP:
        return this.onWrap(p.from, p.payload, out);
      case FrameKind.MESSAGE:
        return this.onMessage(p.from, p.payload, out);
      case FrameKind.FILE_CHUNK:
        return this.onChunk(p.from, p.payload, out);
    }
  }

  private rejected(out: Collector, from: string, error: E2eeError): Step {
    out.reject(error, from);
    return DONE;
  }

  // --- handshakes ---------------------------------------------------------------------------

  private async onHandshake(from: string, payload: Uint8Array, out: Collector): Promise<Step> {
    const decoded = decodeHandshake(payload);
    if (!decoded.ok) return this.rejected(out, from, decoded.error);
    const { keyPackage: kp, reply } = decoded.value;
    if (kp.roomId !== this.roomId) {
      return this.rejected(
        out,
        from,
        new ContextMismatchError(E2eeErrorCode.ROOM_MISMATCH, 'handshake is for another room'),
      );
    }
    if (kp.clientId !== from) {
      return this.rejected(
        out,
        from,
        new ContextMismatchError(E2eeErrorCode.SENDER_MISMATCH, 'handshake names another sender'),
      );
    }
    if (!this.order.includes(from)) {
      return this.rejected(
        out,
        from,
        new MembershipError(E2eeErrorCode.NOT_A_MEMBER, 'handshake from someone not in the room'),
      );
    }
    const kpHash = await sha256(kp.bytes);
    // Two newcomers answer each other's announcement, so each may get the other's key package
    // twice (broadcast and reply). The same package again changes nothing: ignore it quietly.
    const known = this.peers.get(from);
    if (known && bytesEqual(known.kpHash, kpHash)) return DONE;
    const identityKey = await importEd25519Public(kp.identityKey);
    if (identityKey instanceof InvalidKeyError) return this.rejected(out, from, identityKey);
    const signedPart = kp.bytes.subarray(0, kp.bytes.byteLength - kp.signature.byteLength);
    if (!(await ed25519Verify(identityKey, kp.signature, keyPackageSigningInput(signedPart)))) {
      return this.rejected(out, from, new SignatureError('key package signature does not verify'));
    }
    const ephemeral = await importEphemeralPublic(kp.ephemeralKey);
    if (ephemeral instanceof InvalidKeyError) return this.rejected(out, from, ephemeral);
    if (this.seenKeyPackages.has(toHex(kpHash))) {
      return this.rejected(out, from, new ReplayError('key package seen before'));
    }
    if (this.peers.has(from)) {
      return this.rejected(
        out,
        from,
        new ReplayError('member already has a key package on this connection'),
      );
    }
    if (reply) {
      // A reply must answer our own, current key package: old replies can't be replayed.
      if (!bytesEqual(reply.echo, this.keyPackage.nonce)) {
        return this.rejected(
          out,
          from,
          new ReplayError('handshake reply answers another connection'),
        );
      }
      if (
        !(await ed25519Verify(identityKey, reply.signature, replySigningInput(kpHash, reply.echo)))
      ) {
        return this.rejected(
          out,
          from,
          new SignatureError('handshake reply signature does not verify'),
        );
      }
    }
    const pairKey = await ecdhHkdfKey(this.ephemeral.privateKey, ephemeral);
    this.seenKeyPackages.add(toHex(kpHash));
    this.peers.set(from, { id: from, keyPackage: kp, kpHash, identityKey, pairKey });
    out.events.push({ type: 'peer', peerId: from, identityKey: kp.identityKey });
    if (!reply) {
      // A newcomer announced itself: answer it directly, proving freshness with its nonce.
      const signature = await this.identity.sign(replySigningInput(this.kpHash, kp.nonce));
      out.outbound.push({
        to: from,
        payload: encodeHandshake(this.keyPackage.bytes, { echo: kp.nonce, signature }),
      });
    }
    // Re-key on every join: the newcomer can't read what was said before it came.
    if (this.isCommitter()) await this.commit(out);
    return CHANGED;
  }

  // --- commits ------------------------------------------------------------------------------

  /** Starts a new epoch for every present member whose handshake verified, and installs it. */
  private async commit(out: Collector, secretOverride?: Uint8Array): Promise<void> {
    const members = this.order.filter((id) => id === this.selfId || this.peers.has(id));
    const epoch = Math.max(this.highestEpoch, this.current?.epoch ?? 0) + 1;
    const secret = secretOverride
      ? new Uint8Array(secretOverride)
      : randomBytes(GROUP_SECRET_BYTES);
    const frame = await this.buildCommit(epoch, members, secret);
    const groupKey = await importGroupSecret(secret);
    secret.fill(0);
    await this.install(frame.wrap, groupKey, out);
    if (members.length > 1) out.outbound.push({ payload: frame.payload });
  }

  /** Builds and signs a WRAP for `members` with `secret`; does not install it. */
  private async buildCommit(
    epoch: number,
    members: readonly string[],
    secret: Uint8Array,
  ): Promise<{ payload: Bytes; wrap: WrapFrame }> {
    const groupKey = await importGroupSecret(secret);
    const keyCommitment = await deriveKeyCommitment(groupKey, this.roomId, epoch);
    const entries: WrapEntry[] = [];
    for (const id of members) {
      if (id === this.selfId) {
        entries.push({ memberId: id, kpHash: this.kpHash, wrapped: EMPTY });
        continue;
      }
      const peer = this.peers.get(id);
      if (!peer) throw new RangeError(`members: ${id} has no verified handshake`);
      const wrapKey = await deriveWrapKey(
        peer.pairKey,
        this.kpHash,
        peer.kpHash,
        wrapKeyInfo(this.roomId, this.selfId, epoch, id),
        this.extractable,
      );
      const wrapped = await aesGcmSeal(
        wrapKey,
        WRAP_NONCE,
        wrapAad(this.roomId, this.selfId, epoch, keyCommitment, id),
        secret,
      );
      entries.push({ memberId: id, kpHash: peer.kpHash, wrapped });
    }
    const unsigned = encodeWrapUnsigned({
      roomId: this.roomId,
      committer: this.selfId,
      epoch,
      keyCommitment,
      entries,
    });
    const signature = await this.identity.sign(wrapSigningInput(unsigned));
    const wrap: WrapFrame = {
      roomId: this.roomId,
      committer: this.selfId,
      epoch,
      keyCommitment,
      entries,
      signature,
      signed: unsigned,
    };
    return { payload: concat(unsigned, signature), wrap };
  }

  private async onWrap(from: string, payload: Uint8Array, out: Collector): Promise<Step> {
    const decoded = decodeWrap(payload);
    if (!decoded.ok) return this.rejected(out, from, decoded.error);
    const w = decoded.value;
    if (w.roomId !== this.roomId) {
      return this.rejected(
        out,
        from,
        new ContextMismatchError(E2eeErrorCode.ROOM_MISMATCH, 'commit is for another room'),
      );
    }
    if (w.committer !== from) {
      return this.rejected(
        out,
        from,
        new ContextMismatchError(E2eeErrorCode.SENDER_MISMATCH, 'commit names another committer'),
      );
    }
    if (w.epoch <= Math.max(this.highestEpoch, this.current?.epoch ?? 0)) {
      return this.rejected(out, from, new ReplayError('commit for an epoch already seen'));
    }
    if (this.order[0] !== from) {
      return this.rejected(
        out,
        from,
        new MembershipError(
          E2eeErrorCode.NOT_LEADER,
          'commit from a member who is not the committer',
        ),
      );
    }
    const committer = this.peers.get(from);
    if (!committer) return WAIT;
    // Every pinned key package must be one we verified; wait for handshakes still on the way.
    for (const e of w.entries) {
      if (e.memberId === this.selfId) continue;
      const peer = this.peers.get(e.memberId);
      if (!peer) {
        if (this.order.includes(e.memberId)) return WAIT;
        return this.rejected(
          out,
          from,
          new MembershipError(E2eeErrorCode.NOT_A_MEMBER, 'commit names someone not in the room'),
        );
      }
      if (!bytesEqual(peer.kpHash, e.kpHash)) {
        return this.rejected(
          out,
          from,
          new MembershipError(
            E2eeErrorCode.KEY_MISMATCH,
            'commit pins a different key for a member',
          ),
        );
      }
    }
    if (!(await ed25519Verify(committer.identityKey, w.signature, wrapSigningInput(w.signed)))) {
      return this.rejected(out, from, new SignatureError('commit signature does not verify'));
    }
    const mine = w.entries.find((e) => e.memberId === this.selfId);
    if (!mine) {
      this.highestEpoch = Math.max(this.highestEpoch, w.epoch);
      this.excludedUpTo = Math.max(this.excludedUpTo, w.epoch);
      // Still joining (no epoch yet): the committer simply hasn't seen our handshake; the next
      // commit will include us. Left out while holding an epoch: we were removed — say so.
      if (this.current) {
        out.reject(
          new MembershipError(E2eeErrorCode.NOT_A_MEMBER, 'not a member of this epoch'),
          from,
        );
      }
      return CHANGED;
    }
    if (!bytesEqual(mine.kpHash, this.kpHash)) {
      return this.rejected(
        out,
        from,
        new ReplayError('commit was made for another connection of ours'),
      );
    }
    if (mine.wrapped.byteLength === 0)
      return this.rejected(out, from, new MalformedFrameError('commit has no secret for us'));
    const wrapKey = await deriveWrapKey(
      committer.pairKey,
      committer.kpHash,
      this.kpHash,
      wrapKeyInfo(this.roomId, from, w.epoch, this.selfId),
    );
    const secret = await aesGcmOpen(
      wrapKey,
      WRAP_NONCE,
      wrapAad(this.roomId, from, w.epoch, w.keyCommitment, this.selfId),
      mine.wrapped,
    );
    if (!(secret instanceof Uint8Array)) return this.rejected(out, from, secret);
    const groupKey = await importGroupSecret(secret);
    secret.fill(0);
    const commitment = await deriveKeyCommitment(groupKey, this.roomId, w.epoch);
    if (!bytesEqual(commitment, w.keyCommitment)) {
      return this.rejected(
        out,
        from,
        new MembershipError(
          E2eeErrorCode.KEY_MISMATCH,
          'group secret does not match its commitment',
        ),
      );
    }
    await this.install(w, groupKey, out);
    return CHANGED;
  }

  private async install(w: WrapFrame, groupKey: CryptoKey, out: Collector): Promise<void> {
    const identities = w.entries.map((e) => ({
      id: e.memberId,
      identityKey:
        e.memberId === this.selfId
          ? this.identity.publicKey
          : this.peers.get(e.memberId)!.keyPackage.identityKey,
    }));
    const fingerprint = await groupFingerprint({
      roomId: this.roomId,
      epoch: w.epoch,
      committer: w.committer,
      keyCommitment: w.keyCommitment,
      members: identities,
    });
    const epoch: Epoch = {
      epoch: w.epoch,
      committer: w.committer,
      groupKey,
      keyCommitment: w.keyCommitment,
      members: new Map(w.entries.map((e) => [e.memberId, e.kpHash])),
      fingerprint,
      senderKeys: new Map(),
      nextSeq: new Map(),
    };
    this.epochs.set(w.epoch, epoch);
    this.current = epoch;
    this.highestEpoch = Math.max(this.highestEpoch, w.epoch);
    this.sendSeq = 0;
    const kept = [...this.epochs.keys()].sort((a, b) => b - a);
    for (const old of kept.slice(this.epochsKept)) this.epochs.delete(old);
    out.events.push({
      type: 'epoch',
      epoch: w.epoch,
      committer: w.committer,
      members: w.entries.map((e) => e.memberId),
      fingerprint,
    });
  }

  // --- messages and chunks ------------------------------------------------------------------

  /** The sender's verified state, WAIT while its handshake is on the way, or a rejection. */
  private senderOf(from: string, out: Collector): Peer | Step {
    const peer = this.peers.get(from);
    if (peer) return peer;
    if (this.order.includes(from)) return WAIT;
    return this.rejected(
      out,
      from,
      new MembershipError(E2eeErrorCode.NOT_A_MEMBER, 'frame from someone not in the room'),
    );
  }

  private async onMessage(from: string, payload: Uint8Array, out: Collector): Promise<Step> {
    const sender = this.senderOf(from, out);
    if (!('kpHash' in sender)) return sender;
    const ctx: MessageContext = { ...this.ctx, sender: from };
    const verified = await verifyMessage(ctx, payload, sender.identityKey);
    if (!verified.ok) return this.rejected(out, from, verified.error);
    const frame = verified.value;
    const epoch = this.epochs.get(frame.epoch);
    if (!epoch) {
      if (frame.epoch > this.highestEpoch) return WAIT;
      if (frame.epoch <= this.excludedUpTo && frame.epoch > (this.current?.epoch ?? 0)) {
        return this.rejected(
          out,
          from,
          new MembershipError(
            E2eeErrorCode.NOT_A_MEMBER,
            'message for an epoch we are not part of',
          ),
        );
      }
      return this.rejected(
        out,
        from,
        new MembershipError(E2eeErrorCode.STALE_EPOCH, 'message for an epoch we do not hold'),
      );
    }
    const pinned = epoch.members.get(from);
    if (!pinned || !bytesEqual(pinned, sender.kpHash)) {
      return this.rejected(
        out,
        from,
        new MembershipError(E2eeErrorCode.NOT_A_MEMBER, 'sender is not a member of that epoch'),
      );
    }
    const expected = epoch.nextSeq.get(from) ?? 0;
    if (frame.seq < expected)
      return this.rejected(out, from, new ReplayError('message replayed or arrived late'));
    if (frame.seq > expected)
      return this.rejected(
        out,
        from,
        new SequenceError('messages were dropped or reordered before this one'),
      );
    const key = await this.senderKey(epoch, from, sender.kpHash);
    const opened = await openMessage(ctx, frame, key);
    if (!opened.ok) return this.rejected(out, from, opened.error);
    epoch.nextSeq.set(from, expected + 1);
    const content = opened.value;
    if (content.type === 'file') {
      const fileKey = `${from}:${toHex(content.manifest.fileId)}`;
      if (this.files.has(fileKey))
        return this.rejected(out, from, new ReplayError('file id reused'));
      const key = await deriveFileKey(
        content.manifest.secret,
        this.roomId,
        content.manifest.fileId,
        from,
        this.extractable,
      );
      this.files.set(fileKey, {
        manifest: content.manifest,
        key,
        next: 0,
        lastProgressAt: this.now(),
      });
      out.events.push({
        type: 'message',
        from,
        id: `${from}/${frame.epoch}/${frame.seq}`,
        content: { type: 'file', manifest: toOffer(content.manifest) },
      });
      return CHANGED;
    }
    out.events.push({ type: 'message', from, id: `${from}/${frame.epoch}/${frame.seq}`, content });
    return DONE;
  }

  private async onChunk(from: string, payload: Uint8Array, out: Collector): Promise<Step> {
    const sender = this.senderOf(from, out);
    if (!('kpHash' in sender)) return sender;
    const ctx: MessageContext = { ...this.ctx, sender: from };
    const verified = await verifyChunk(ctx, payload, sender.identityKey);
    if (!verified.ok) return this.rejected(out, from, verified.error);
    const frame = verified.value;
    const fileKey = `${from}:${toHex(frame.fileId)}`;
    const file = this.files.get(fileKey);
    if (!file)
      return this.rejected(
        out,
        from,
        new FileIntegrityError('chunk of a file we have no manifest for'),
      );
    const failFile = (error: E2eeError): Step => {
      this.files.delete(fileKey);
      return this.rejected(out, from, error);
    };
    const m = file.manifest;
    if (frame.index !== file.next)
      return failFile(new FileIntegrityError('chunks were swapped, dropped or replayed'));
    if (frame.last !== (frame.index === m.chunkCount - 1))
      return failFile(new FileIntegrityError('stream end does not match the manifest'));
    const data = await openChunk(ctx, frame, file.key);
    if (!(data instanceof Uint8Array)) return failFile(data);
    const expected = frame.last ? m.size - m.chunkSize * (m.chunkCount - 1) : m.chunkSize;
    if (data.byteLength !== expected)
      return failFile(new FileIntegrityError('chunk length does not match the manifest'));
    file.next++;
    file.lastProgressAt = this.now();
    if (frame.last) this.files.delete(fileKey);
    out.events.push({
      type: 'file-chunk',
      from,
      fileId: toHex(frame.fileId),
      index: frame.index,
      data,
      last: frame.last,
    });
    return DONE;
  }
}

/** Recomputes every session vector from its inputs (used by the check and by the generator). */
import {
  decodeHandshake,
  deriveFileKey,
  deriveKeyCommitment,
  deriveSenderKey,
  fromHex,
  Identity,
  importEphemeralJwk,
  importGroupSecret,
  NullroomSession,
  roomTag,
  safetyNumber,
  sealChunk,
  sealMessage,
  sha256,
  toHex,
} from '../../src';

export interface SessionVectorInputs {
  readonly roomId: string;
  readonly aliceSeed: string;
  readonly bobSeed: string;
  readonly aliceEphemeral: JsonWebKey;
  readonly bobEphemeral: JsonWebKey;
  readonly aliceNonce: string;
  readonly bobNonce: string;
  readonly groupSecret: string;
  readonly epoch: number;
  readonly text: string;
  readonly fileId: string;
  readonly fileSecret: string;
  readonly chunk: string;
  readonly chunkSize: number;
}

type Commit = {
  buildCommit(e: number, m: string[], s: Uint8Array): Promise<{ payload: Uint8Array }>;
};

export async function buildSessionVectors(inputs: SessionVectorInputs) {
  const { roomId } = inputs;
  const aliceId = await Identity.fromSeed(fromHex(inputs.aliceSeed));
  const bobId = await Identity.fromSeed(fromHex(inputs.bobSeed));
  const alice = await NullroomSession.create({
    roomId,
    selfId: 'alice',
    identity: aliceId,
    ephemeral: await importEphemeralJwk(inputs.aliceEphemeral),
    nonce: fromHex(inputs.aliceNonce),
  });
  const bob = await NullroomSession.create({
    roomId,
    selfId: 'bob',
    identity: bobId,
    ephemeral: await importEphemeralJwk(inputs.bobEphemeral),
    nonce: fromHex(inputs.bobNonce),
  });
  await alice.start([]);
  const bobHandshake = (await bob.start(['alice'])).outbound[0]!.payload;
  await alice.memberJoined('bob');
  const aliceReply = (await alice.receive('bob', bobHandshake)).outbound.find(
    (o) => o.to === 'bob',
  )!.payload;
  await bob.receive('alice', aliceReply);
  const decodedReply = decodeHandshake(aliceReply);
  if (!decodedReply.ok) throw new Error('vector reply does not decode');
  const aliceKpHash = await sha256(decodedReply.value.keyPackage.bytes);
  const secret = fromHex(inputs.groupSecret);
  const wrap = (
    await (alice as unknown as Commit).buildCommit(inputs.epoch, ['alice', 'bob'], secret)
  ).payload;
  await bob.receive('alice', wrap);
  const groupKey = await importGroupSecret(secret);
  const keyCommitment = await deriveKeyCommitment(groupKey, roomId, inputs.epoch);
  const tag = await roomTag(roomId);
  const ctx = { roomId, roomTag: tag, sender: 'alice' };
  const senderKey = await deriveSenderKey(groupKey, roomId, inputs.epoch, 'alice', aliceKpHash);
  const message = await sealMessage(ctx, senderKey, aliceId, inputs.epoch, 0, {
    type: 'text',
    text: inputs.text,
  });
  const read = await bob.receive('alice', message);
  const got = read.events.find((e) => e.type === 'message');
  const fileId = fromHex(inputs.fileId);
  const fileKey = await deriveFileKey(fromHex(inputs.fileSecret), roomId, fileId, 'alice');
  const chunk = await sealChunk(
    ctx,
    fileKey,
    aliceId,
    fileId,
    0,
    true,
    fromHex(inputs.chunk),
    inputs.chunkSize,
  );
  return {
    outputs: {
      alicePublic: toHex(aliceId.publicKey),
      bobPublic: toHex(bobId.publicKey),
      safetyNumber: await safetyNumber(aliceId.publicKey, bobId.publicKey),
      roomTag: toHex(tag),
      bobHandshake: toHex(bobHandshake),
      aliceReply: toHex(aliceReply),
      wrap: toHex(wrap),
      keyCommitment: toHex(keyCommitment),
      fingerprint: bob.fingerprint() ?? '',
      message: toHex(message),
      chunk: toHex(chunk),
    },
    bobReads: got?.type === 'message' && got.content.type === 'text' ? got.content.text : undefined,
    bobFingerprint: bob.fingerprint(),
  };
}

/**
 * Calls end to end in headless Chromium (fake camera, microphone and screen) through the real
 * relay and a real coturn on loopback: mesh calls with audio and video, mute, screen share,
 * hang-up; relay-only ICE through TURN with credentials from the relay, and expired ones; a
 * lying relay and a middleman on the media path, both caught.
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRoom } from '../../src';
import { CaptureProxy } from '../capture-proxy';
// The relay's own test helpers start the built relay and a real coturn (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { Coturn } from '../../../../apps/relay/test/support/coturn';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  RELAY_MAIN,
  startRelay,
  type RelayProcess,
} from '../../../../apps/relay/test/support/relay-process';
import { CallWorld, CHROMIUM, type Participant } from './harness';

const SECRET = 'calls-browser-turn-secret-0123456789';
const suite = process.env.NULLROOM_SKIP_BROWSER === '1' ? describe.skip : describe;

suite('calls in Chromium through the real relay and coturn', () => {
  let coturn: Coturn;
  let relay: RelayProcess;
  const world = new CallWorld();

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN)) throw new Error(`build the relay first: ${RELAY_MAIN} is missing`);
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    coturn = await Coturn.start({ secret: SECRET });
    relay = await startRelay({
      TURN_URLS: coturn.url,
      TURN_SECRET: SECRET,
      RATE_LIMIT_WS_CONNECT_MAX: '0',
      RATE_LIMIT_HTTP_MAX: '0',
      RATE_LIMIT_ROOMS_MAX: '0',
    });
    await world.start();
  }, 60_000);

  afterEach(() => world.closePages());

  afterAll(async () => {
    await world.stop();
    await relay?.stop();
    await coturn?.stop();
  });

  const room = () => createRoom(relay.baseUrl, undefined, 'p2p');

  async function ringAndAnswer(caller: Participant, callees: Participant[]): Promise<string> {
    const callId = await caller.run('start', true);
    expect(callId).toMatch(/^[0-9a-f]{32}$/);
    for (const callee of callees) {
      await callee.until('ringing', async (p) => (await p.snapshot()).incoming?.callId === callId);
      expect((await callee.recorded()).ringing).toEqual([{ callId, from: caller.id, video: true }]);
      expect(await callee.run('accept')).toBe(callId);
    }
    return callId;
  }

  it('two participants: ring, answer, audio and video both ways, mute, camera off and on, screen share, hang up', async () => {
    const r = await room();
    const alice = await world.join('alice', r, relay.wsUrl);
    const bob = await world.join('bob', r, relay.wsUrl);
    await ringAndAnswer(alice, [bob]);
    await alice.untilConnected(['bob']);
    await bob.untilConnected(['alice']);

    // Audio and video flow both ways.
    for (const [self, peer] of [
      [alice, 'bob'],
      [bob, 'alice'],
    ] as const) {
      await self.until(`audio and video from ${peer}`, async (p) => {
        const s = await p.stats(peer);
        return s && s.inAudioPackets > 20 && s.inCameraFrames > 5 ? s : undefined;
      });
    }
    const view = (await alice.snapshot()).call!;
    expect(view.participants.map((p) => [p.id, p.state])).toEqual([
      ['alice', 'self'],
      ['bob', 'connected'],
    ]);
    expect((await alice.recorded()).streams).toEqual(
      expect.arrayContaining([
        { peerId: 'bob', kind: 'audio' },
        { peerId: 'bob', kind: 'camera' },
      ]),
    );

    // Muting stops the outbound audio: not one more packet leaves, and bob receives none.
    await alice.run('mute', true);
    await new Promise((r) => setTimeout(r, 500));
    const mutedOut = (await alice.stats('bob'))!.outAudioPackets;
    const mutedIn = (await bob.stats('alice'))!.inAudioPackets;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await alice.stats('bob'))!.outAudioPackets).toBe(mutedOut);
    expect((await bob.stats('alice'))!.inAudioPackets).toBe(mutedIn);
    await bob.until('alice shown muted', async (p) => {
      const a = (await p.snapshot()).call?.participants.find((x) => x.id === 'alice');
      return a?.media.mic === false;
    });
    await alice.run('mute', false);
    await bob.until('audio again after unmute', async (p) => {
      const s = await p.stats('alice');
      return s && s.inAudioPackets > mutedIn + 10;
    });
    // And the camera still went on while muted.
    expect((await alice.stats('bob'))!.outCameraPackets).toBeGreaterThan(0);

    // Camera off: the camera stops (no video packet leaves) and bob is told; on again: video.
    expect(await alice.run('camera', false)).toBeUndefined();
    await bob.until('alice shown without camera', async (p) => {
      const a = (await p.snapshot()).call?.participants.find((x) => x.id === 'alice');
      return a?.media.cam === false;
    });
    await new Promise((r) => setTimeout(r, 300));
    const camOff = (await alice.stats('bob'))!.outCameraPackets;
    await new Promise((r) => setTimeout(r, 1000));
    expect((await alice.stats('bob'))!.outCameraPackets).toBe(camOff);
    const framesBefore = (await bob.stats('alice'))!.inCameraFrames;
    expect(await alice.run('camera', true)).toBeUndefined();
    await bob.until('video again after camera on', async (p) => {
      const x = await p.stats('alice');
      return x && x.inCameraFrames > framesBefore + 5;
    });

    // A screen share appears on the other side.
    expect(await alice.run('screen')).toBe(true);
    await bob.until('alice shown sharing', async (p) => {
      const a = (await p.snapshot()).call?.participants.find((x) => x.id === 'alice');
      return a?.media.screen === true;
    });
    await bob.until('screen frames from alice', async (p) => {
      const s = await p.stats('alice');
      return s && s.inScreenFrames > 3;
    });
    expect((await bob.recorded()).streams).toContainEqual({ peerId: 'alice', kind: 'screen' });
    await alice.run('stopScreen');
    await bob.until('alice shown not sharing', async (p) => {
      const a = (await p.snapshot()).call?.participants.find((x) => x.id === 'alice');
      return a?.media.screen === false;
    });

    // Hang-up ends the call for both.
    await bob.run('hangUp');
    await alice.until('call ended', async (p) => (await p.snapshot()).call === undefined);
    expect((await alice.recorded()).ended).toEqual([
      expect.objectContaining({ reason: 'remote_hung_up' }),
    ]);
    expect((await bob.recorded()).ended).toEqual([expect.objectContaining({ reason: 'hung_up' })]);
    expect((await bob.snapshot()).call).toBeUndefined();
    for (const p of [alice, bob]) expect((await p.recorded()).security).toEqual([]);
  }, 120_000);

  it('three participants connect in a mesh; one hangs up and the others go on; the last hang-up ends it', async () => {
    const r = await room();
    const [alice, bob, carol] = [
      await world.join('alice', r, relay.wsUrl),
      await world.join('bob', r, relay.wsUrl),
      await world.join('carol', r, relay.wsUrl),
    ];
    await ringAndAnswer(alice, [bob, carol]);
    const everyone = [alice, bob, carol];
    for (const p of everyone) {
      const others = everyone.filter((o) => o !== p).map((o) => o.id);
      await p.untilConnected(others, 40_000);
      for (const peer of others) {
        await p.until(`audio and video from ${peer}`, async (x) => {
          const s = await x.stats(peer);
          return s && s.inAudioPackets > 10 && s.inCameraFrames > 3;
        });
      }
      expect((await p.snapshot()).call!.participants.map((x) => x.id).sort()).toEqual([
        'alice',
        'bob',
        'carol',
      ]);
    }
    await alice.run('hangUp');
    for (const p of [bob, carol]) {
      await p.until('alice gone, call on', async (x) => {
        const call = (await x.snapshot()).call;
        return call?.status === 'active' && call.participants.length === 2;
      });
    }
    const before = (await carol.stats('bob'))!.inCameraFrames;
    await carol.until('media still flowing from bob', async (x) => {
      const s = await x.stats('bob');
      return s && s.inCameraFrames > before + 3;
    });
    await bob.run('hangUp');
    await carol.until('call ended', async (x) => (await x.snapshot()).call === undefined);
    expect((await carol.recorded()).ended).toEqual([
      expect.objectContaining({ reason: 'remote_hung_up' }),
    ]);
  }, 120_000);

  it('two members calling each other at the same moment end up in one call', async () => {
    const r = await room();
    const alice = await world.join('alice', r, relay.wsUrl);
    const bob = await world.join('bob', r, relay.wsUrl);
    // Each either started its own call or, if the other's ring came first, joined that one.
    const [a, b] = await Promise.all([alice.run('start', true), bob.run('start', true)]);
    await alice.untilConnected(['bob']);
    await bob.untilConnected(['alice']);
    const lower = a < b ? a : b;
    expect((await alice.snapshot()).call!.callId).toBe(lower);
    expect((await bob.snapshot()).call!.callId).toBe(lower);
    // The one who gave up its own call left it quietly; nobody saw an end or an error.
    for (const p of [alice, bob]) {
      expect((await p.recorded()).security).toEqual([]);
      expect((await p.recorded()).ended).toEqual([]);
      expect((await p.snapshot()).incoming).toBeUndefined();
    }
  }, 60_000);

  it('support room: the agent calls, the visitor declines, the agent hears it', async () => {
    const r = await createRoom(relay.baseUrl, undefined, 'support');
    const visitor = await world.join('c-0123456789abcdef', r, relay.wsUrl);
    const agent = await world.join('admin-a1b2c3', r, relay.wsUrl);
    const callId = await agent.run('start', false);
    await visitor.until('ringing', async (p) => (await p.snapshot()).incoming?.callId === callId);
    expect((await visitor.recorded()).ringing).toEqual([
      { callId, from: 'admin-a1b2c3', video: false },
    ]);
    await visitor.run('decline');
    await agent.until('declined', async (p) => (await p.recorded()).ended.length > 0);
    expect((await agent.recorded()).ended).toEqual([
      expect.objectContaining({ reason: 'declined', message: 'The call was declined.' }),
    ]);
    expect((await visitor.snapshot()).incoming).toBeUndefined();
    expect((await visitor.snapshot()).call).toBeUndefined();
  }, 60_000);

  it("hide my address: relay-only ICE through coturn with the relay's credentials connects on a relay pair", async () => {
    const r = await room();
    const alice = await world.join('alice', r, relay.wsUrl, { hideAddress: true });
    const bob = await world.join('bob', r, relay.wsUrl, { hideAddress: true });
    await ringAndAnswer(alice, [bob]);
    await alice.untilConnected(['bob']);
    await bob.untilConnected(['alice']);
    for (const [self, peer] of [
      [alice, 'bob'],
      [bob, 'alice'],
    ] as const) {
      const s = await self.until(`media from ${peer}`, async (p) => {
        const x = await p.stats(peer);
        return x && x.inAudioPackets > 10 && x.inCameraFrames > 3 ? x : undefined;
      });
      expect(s.pair).toEqual({ local: 'relay', remote: 'relay' });
      // Not one host or server-reflexive candidate was even gathered: the address stays hidden.
      expect(new Set(s.localCandidateTypes)).toEqual(new Set(['relay']));
      expect((await self.snapshot()).call!.local.hideAddress).toBe(true);
    }
  }, 60_000);

  it('expired TURN credentials: a relay-only call fails with a clear message', async () => {
    // Alice's relay connection goes through a relay whose clock is two minutes behind the TURN
    // server's: its credentials are correctly signed and already expired (the real relay's
    // CALL_CREDENTIALS, re-signed on the way). Bob's are fine.
    const credentialFrames: string[] = [];
    const proxy = new CaptureProxy(relay.wsUrl, (frame) => {
      if (frame.direction !== 'from-relay' || frame.data[0] !== 0x94) return frame.data;
      const body = JSON.parse(frame.data.subarray(1).toString()) as Record<string, unknown>;
      const username = `${Math.floor(Date.now() / 1000) - 120}:${String(body.username).split(':')[1]}`;
      const credential = createHmac('sha1', SECRET).update(username).digest('base64');
      credentialFrames.push(username);
      return Buffer.concat([
        Buffer.of(0x94),
        Buffer.from(JSON.stringify({ ...body, username, credential })),
      ]);
    });
    const url = await proxy.start();
    try {
      const r = await room();
      const alice = await world.join('alice', r, url, { hideAddress: true });
      const bob = await world.join('bob', r, relay.wsUrl);
      await ringAndAnswer(alice, [bob]);
      await alice.until('call failed', async (x) => (await x.recorded()).ended.length > 0, 30_000);
      const [ended] = (await alice.recorded()).ended;
      expect(ended).toMatchObject({
        reason: 'turn_rejected',
        message:
          'The call could not connect: the TURN server refused the credentials from the relay.',
      });
      expect(ended!.detail).toMatch(
        /^the TURN server refused the credentials from the relay \(401 Unauthorized\): they expired at \d{4}-\d\d-\d\dT.*\(is the relay's clock behind the TURN server's\?\)$/,
      );
      expect((await alice.snapshot()).call).toBeUndefined();
      // Alice asked once more for fresh credentials before giving up.
      expect(credentialFrames.length).toBe(2);
      await bob.until('call over', async (x) => (await x.snapshot()).call === undefined);
      expect((await bob.recorded()).ended).toEqual([
        expect.objectContaining({ reason: 'remote_hung_up' }),
      ]);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('a lying relay that tries to rewrite the SDP fingerprint is caught and the call refused', async () => {
    // What a seed-002 relay could do: find `a=fingerprint:` in the signalling and put its own
    // there. Here it finds none (the signalling is end-to-end encrypted), so it changes the
    // bytes where the SDP travels, as an attacker without the keys can.
    let rewrites = 0;
    let plaintextSeen = 0;
    const proxy = new CaptureProxy(relay.wsUrl, (frame) => {
      const text = frame.data.toString('latin1');
      if (/a=fingerprint|candidate:|sha-256|v=0\r\n/.test(text)) plaintextSeen++;
      const sendTo = frame.direction === 'to-relay' && frame.binary && frame.data[0] === 0x02;
      if (!sendTo) return frame.data;
      const payloadAt = 2 + frame.data[1]!;
      if (frame.data[payloadAt] !== 0xca) return frame.data; // not a call channel frame
      const forged = Buffer.from(frame.data);
      forged[forged.length - 20] ^= 0x01;
      rewrites++;
      return forged;
    });
    const url = await proxy.start();
    try {
      const r = await room();
      const alice = await world.join('alice', r, url);
      const bob = await world.join('bob', r, url);
      await ringAndAnswer(alice, [bob]);
      // Alice (the lower id) offers first; Bob refuses her tampered offer and ends the call.
      await bob.until('security end', async (p) => (await p.recorded()).ended.length > 0);
      const recorded = await bob.recorded();
      expect(recorded.security).toEqual([
        { peerId: 'alice', message: 'signalling from alice failed verification' },
      ]);
      expect(recorded.ended).toEqual([
        expect.objectContaining({
          reason: 'security',
          detail: 'signalling from alice failed verification',
        }),
      ]);
      await alice.until('call over', async (p) => (await p.snapshot()).call === undefined);
      expect(rewrites).toBeGreaterThan(0);
      for (const p of [alice, bob]) {
        const states = (await p.snapshot()).call;
        expect(states).toBeUndefined();
      }
      // The relay never saw an SDP, a fingerprint or a candidate in clear.
      expect(plaintextSeen).toBe(0);
      expect(proxy.frames.length).toBeGreaterThan(10);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('an SDP whose fingerprint is not the one its sender announced in the session is refused', async () => {
    const r = await room();
    const alice = await world.join('alice', r, relay.wsUrl);
    const bob = await world.join('bob', r, relay.wsUrl, {
      initScript: `(${foreignFingerprint.toString()})()`,
    });
    await ringAndAnswer(alice, [bob]);
    await alice.until('security end', async (p) => (await p.recorded()).ended.length > 0);
    expect((await alice.recorded()).ended).toEqual([
      expect.objectContaining({
        reason: 'security',
        detail:
          "the DTLS fingerprint in bob's SDP is not the one bob announced in the encrypted session",
      }),
    ]);
    await bob.until('call over', async (p) => (await p.snapshot()).call === undefined);
  }, 60_000);

  it('a middleman on the media path is caught by the negotiated-certificate check', async () => {
    // Something between the verified signalling and the browser (an injected script, a
    // compromised SDP path) swaps Bob's answer for Mallory's, so Alice's DTLS ends at Mallory.
    const r = await room();
    const alice = await world.join('alice', r, relay.wsUrl, {
      initScript: `(${mallory.toString()})()`,
    });
    // ... and Alice's candidates never reach Bob.
    const bob = await world.join('bob', r, relay.wsUrl, { initScript: blockCandidates });
    await ringAndAnswer(alice, [bob]);
    await alice.until('security end', async (p) => (await p.recorded()).ended.length > 0, 30_000);
    expect(
      await alice.page.evaluate(
        () => (globalThis as { __malloryConnected?: boolean }).__malloryConnected,
      ),
    ).toBe(true);
    const recorded = await alice.recorded();
    expect(recorded.ended).toEqual([
      expect.objectContaining({
        reason: 'security',
        detail:
          'the DTLS certificate of the connection to bob is not the one bob announced in the encrypted session',
      }),
    ]);
    expect(recorded.security).toHaveLength(1);
    await bob.until('call over', async (p) => (await p.snapshot()).call === undefined, 30_000);
  }, 60_000);
});

/** Runs in Bob's page: every SDP it sends names a certificate other than the one it uses. */
function foreignFingerprint(): void {
  const descriptor = Object.getOwnPropertyDescriptor(
    RTCPeerConnection.prototype,
    'localDescription',
  )!;
  const other = Array.from({ length: 32 }, () => 'AB').join(':');
  Object.defineProperty(RTCPeerConnection.prototype, 'localDescription', {
    get(this: RTCPeerConnection) {
      const d = descriptor.get!.call(this) as RTCSessionDescription | null;
      if (!d) return d;
      return {
        type: d.type,
        sdp: d.sdp.replace(/^a=fingerprint:sha-256 \S+/gm, `a=fingerprint:sha-256 ${other}`),
      };
    },
  });
}

const blockCandidates =
  'RTCPeerConnection.prototype.addIceCandidate = function () { return Promise.resolve(); };';

/** Runs in Alice's page before the app: answers Alice's offer itself and hands her its answer. */
function mallory(): void {
  const original = RTCPeerConnection.prototype.setRemoteDescription;
  const w = globalThis as { __malloryConnected?: boolean };
  RTCPeerConnection.prototype.setRemoteDescription = async function (
    this: RTCPeerConnection & { __mallory?: RTCPeerConnection },
    description?: RTCSessionDescriptionInit,
  ): Promise<void> {
    if (this.__mallory || description?.type !== 'answer' || !this.localDescription) {
      return original.call(this, description as RTCSessionDescriptionInit);
    }
    const config = this.getConfiguration();
    const m = new RTCPeerConnection({ iceServers: config.iceServers ?? [] });
    this.__mallory = m;
    m.onconnectionstatechange = () => {
      if (m.connectionState === 'connected') w.__malloryConnected = true;
    };
    // The middleman holds the network path: Bob's candidates never reach Alice.
    this.addIceCandidate = () => Promise.resolve();
    await original.call(m, this.localDescription);
    await m.setLocalDescription(await m.createAnswer());
    await new Promise<void>((resolve) => {
      if (m.iceGatheringState === 'complete') return resolve();
      m.onicegatheringstatechange = () => {
        if (m.iceGatheringState === 'complete') resolve();
      };
    });
    return original.call(this, { type: 'answer', sdp: m.localDescription!.sdp });
  };
}

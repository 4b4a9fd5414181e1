import { type OnApplicationShutdown } from '@nestjs/common';
import { shutdownTracing } from './tracing';

/** Flushes queued spans when the app closes (after the drain), so the drain span is exported. */
export class TracingLifecycle implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTracing();
  }
}

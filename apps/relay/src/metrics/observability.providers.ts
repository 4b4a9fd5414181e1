import { type Provider } from '@nestjs/common';
import { CallsService } from '../calls/calls.service';
import { RelayStats } from '../common/stats';
import { type RelayConfig } from '../config/config';
import { RelayGateway } from '../gateway/relay.gateway';
import { DrainService } from '../lifecycle/drain.service';
import { RoomsService } from '../rooms/rooms.service';
import { traceHeaders } from '../tracing/propagation';
import { TracingLifecycle } from '../tracing/tracing.lifecycle';
import { ClusterMetrics } from './cluster-metrics';
import { MetricsService } from './metrics.service';
import { RoomObserver } from './room-observer';

/** What AppModule registers for metrics and traces: `...observabilityProviders(config)`. */
export function observabilityProviders(config: RelayConfig): Provider[] {
  return [
    // Cluster code calls it (claims, forwarding, directory); it reads 0 until then.
    { provide: ClusterMetrics, useValue: new ClusterMetrics() },
    {
      provide: RoomObserver,
      useFactory: (rooms: RoomsService) => new RoomObserver(rooms),
      inject: [RoomsService],
    },
    {
      provide: MetricsService,
      useFactory: (
        stats: RelayStats,
        cluster: ClusterMetrics,
        _observer: RoomObserver,
        rooms: RoomsService,
        gateway: RelayGateway,
        drain: DrainService,
        calls: CallsService,
      ) => {
        // The forwarding hop carries the trace context (a no-op without the SDK).
        gateway.tracePropagation = () => traceHeaders();
        return new MetricsService(config, {
          stats,
          calls,
          cluster,
          limits: config.limits,
          roomsByMode: () => {
            const counts = { p2p: 0, support: 0, code: 0 };
            for (const room of rooms.list()) counts[room.mode]++;
            return counts;
          },
          connections: () => gateway.size,
          draining: () => drain.draining,
        });
      },
      inject: [
        RelayStats,
        ClusterMetrics,
        RoomObserver,
        RoomsService,
        RelayGateway,
        DrainService,
        CallsService,
      ],
    },
    { provide: TracingLifecycle, useValue: new TracingLifecycle() },
  ];
}

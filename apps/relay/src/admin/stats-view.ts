import { type RelayStats } from '../common/stats';
import { type RelayConfig } from '../config/config';
import { type ClusterMetrics } from '../metrics/cluster-metrics';
import { type RoomsService } from '../rooms/rooms.service';

/** One pod's numbers for /admin/api/stats: counts only, nothing that names a room or a person. */
export function podStats(
  pod: { podName: string; standbyCount: number },
  config: RelayConfig,
  rooms: RoomsService,
  stats: RelayStats,
  cluster: ClusterMetrics,
  openConnections: number,
  draining: boolean,
): Record<string, unknown> {
  const all = rooms.list();
  const memory = process.memoryUsage();
  return {
    pod: pod.podName,
    standbyRooms: pod.standbyCount,
    uptimeSeconds: Math.round((Date.now() - stats.startedAt) / 1000),
    draining,
    rooms: {
      total: all.length,
      p2p: all.filter((r) => r.mode === 'p2p').length,
      support: all.filter((r) => r.mode === 'support').length,
      code: all.filter((r) => r.mode === 'code').length,
      created: stats.roomsCreated,
      closed: stats.roomsClosed,
      max: config.limits.maxRooms,
    },
    connections: {
      open: openConnections,
      forwarded: cluster.forwardedOpen.out,
      total: stats.connectionsTotal,
      max: config.limits.maxConnections,
    },
    participants: all.reduce((n, r) => n + r.size, 0),
    frames: { in: stats.framesIn, out: stats.framesOut },
    bytes: { in: stats.bytesIn, out: stats.bytesOut },
    disconnects: {
      slowConsumer: stats.slowConsumerDisconnects,
      rateLimited: stats.rateLimitedDisconnects,
    },
    httpRateLimited: stats.httpRateLimited,
    // Rooms that moved here for a join (from a live owner, or from a standby after its death).
    claims: cluster.claims.won + cluster.claims.recovered,
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
  };
}

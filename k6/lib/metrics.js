// Custom metrics shared by every scenario (created once, in the init context).
import { Counter, Trend } from 'k6/metrics';

export const metrics = {
  /** Receive time minus the sender's timestamp in the payload, per delivered frame (ms). */
  latency: new Trend('fanout_latency', true),
  /** MESSAGE frames received (one per receiver per sent frame). */
  deliveries: new Counter('fanout_deliveries'),
  /** Frames a receiver should have had but did not (counted at the end, from sequence bitmaps). */
  lost: new Counter('fanout_lost'),
  /** The same (sender, sequence) received twice on one connection. */
  duplicated: new Counter('fanout_duplicated'),
  framesSent: new Counter('frames_sent'),
  /** Milliseconds a send fired after its scheduled time: k6 itself falling behind shows here. */
  sendLag: new Trend('send_lag', true),
  /** Connect to ready (WELCOME from Nullroom, open from the bare baseline). */
  joinTime: new Trend('join_time', true),
  /** Members that never became ready. */
  joinFailed: new Counter('join_failed'),
  /** Close to ready again after the relay asked a member to reconnect (ring-change). */
  reconnectTime: new Trend('reconnect_time', true),
  /** Joins refused with a retryable close code (e.g. 1013) and tried again. */
  joinRetries: new Counter('join_retries'),
  /** Members that were cut and were not connected again by the end of the run. */
  reconnectFailed: new Counter('reconnect_failed'),
  /** Connections that ended without the test asking (tagged with the close code). */
  unexpectedCloses: new Counter('ws_unexpected_closes'),
};

/** Adds zero to every counter so thresholds are evaluated even when nothing happened. */
export function touchCounters() {
  metrics.lost.add(0);
  metrics.duplicated.add(0);
  metrics.joinFailed.add(0);
  metrics.unexpectedCloses.add(0);
  metrics.reconnectFailed.add(0);
}

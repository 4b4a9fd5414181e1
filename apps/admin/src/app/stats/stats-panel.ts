import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { type RelayStats } from '../shared/admin-api';
import { formatBytes, formatDuration } from '../shared/format';

interface Tile {
  readonly label: string;
  readonly value: string;
  readonly detail?: string;
}

/** Whatever GET /admin/api/stats returns, as a row of tiles (plus pods in cluster mode). */
@Component({
  selector: 'nr-stats-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="tiles" aria-label="Relay statistics" data-testid="stats">
      @for (tile of tiles(); track tile.label) {
        <div class="tile">
          <div class="tile-value">{{ tile.value }}</div>
          <div class="tile-label">{{ tile.label }}</div>
          @if (tile.detail) {
            <div class="tile-detail">{{ tile.detail }}</div>
          }
        </div>
      }
    </section>
    @if (pods().length > 0) {
      <details class="pods card">
        <summary>
          Cluster: {{ pods().length }} pods · directory {{ stats()?.cluster?.directory ?? '?' }}
        </summary>
        <table>
          <thead>
            <tr>
              <th>Pod</th>
              <th>Rooms</th>
              <th>Connections</th>
              <th>Uptime</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            @for (pod of pods(); track pod.pod) {
              <tr>
                <td>{{ pod.pod }}</td>
                <td>{{ pod.rooms?.total ?? '—' }}</td>
                <td>{{ pod.connections?.open ?? '—' }}</td>
                <td>{{ pod.uptime }}</td>
                <td>{{ pod.draining ? 'draining' : 'serving' }}</td>
              </tr>
            }
          </tbody>
        </table>
      </details>
    }
  `,
})
export class StatsPanel {
  readonly stats = input<RelayStats | undefined>(undefined);

  protected readonly pods = computed(() =>
    (this.stats()?.cluster?.pods ?? []).map((p) => ({
      ...p,
      uptime: p.uptimeSeconds === undefined ? '—' : formatDuration(p.uptimeSeconds),
    })),
  );

  protected readonly tiles = computed<readonly Tile[]>(() => {
    const s = this.stats();
    if (!s) return [];
    // In cluster mode the top-level numbers are this pod's; sum the pods for the cluster view.
    const pods = s.cluster?.pods;
    const sum = (pick: (p: RelayStats) => number | undefined): number =>
      (pods ?? [s]).reduce((n, p) => n + (pick(p) ?? 0), 0);
    const tiles: Tile[] = [
      {
        label: 'Support rooms',
        value: String(sum((p) => p.rooms?.support)),
        detail:
          plural(
            sum((p) => p.rooms?.total),
            'room',
          ) + ' in all',
      },
      {
        label: 'Connections',
        value: String(sum((p) => p.connections?.open)),
        detail:
          plural(
            sum((p) => p.participants),
            'participant',
          ) + ' in rooms',
      },
      {
        label: 'Rooms created',
        value: String(sum((p) => p.rooms?.created)),
        detail: `${sum((p) => p.rooms?.closed)} ended`,
      },
      {
        label: 'Bytes relayed',
        value: formatBytes(sum((p) => p.bytes?.out)),
        detail: `${formatBytes(sum((p) => p.bytes?.in))} received`,
      },
      {
        label: pods ? 'Pods' : 'Uptime',
        value: pods ? String(pods.length) : formatDuration(s.uptimeSeconds ?? 0),
        detail: pods
          ? `directory ${s.cluster?.directory ?? '?'}`
          : s.draining
            ? 'draining'
            : `on ${s.pod ?? 'this pod'}`,
      },
    ];
    return tiles;
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

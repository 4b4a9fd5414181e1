import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RelayStats } from '../../src/common/stats';
import { ClusterMetrics } from '../../src/metrics/cluster-metrics';
import { methodLabel, templateOfPath } from '../../src/metrics/http-route';
import {
  CODE_ATTEMPT_OUTCOMES,
  RelayMetrics,
  ROOM_CLOSE_REASONS,
} from '../../src/metrics/relay-metrics';
import { DirectoryUnavailableError } from '../../src/cluster';
import { parseSamples } from './support/scrape';

const root = join(__dirname, '../../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function build() {
  const stats = new RelayStats();
  const cluster = new ClusterMetrics();
  const calls = {
    started: 0,
    ended: 0,
    active: 0,
    participants: 0,
    credentialsIssued: 0,
    refused: { full: 0, disabled: 0 },
  };
  const directory = { state: 'up' as 'up' | 'down' };
  cluster.watchDirectory({
    health: () => ({ backend: 'redis', state: directory.state, sinceMs: 0 }),
  });
  const metrics = new RelayMetrics(
    {
      stats,
      calls,
      cluster,
      limits: { maxRooms: 1000, maxConnections: 0 },
      roomsByMode: () => ({ p2p: 3, support: 1, code: 2 }),
      connections: () => 7,
      draining: () => false,
    },
    { defaultMetrics: false },
  );
  return { stats, cluster, directory, calls, metrics };
}

describe('metrics', () => {
  it('copies plain counters at scrape time and renders the fan-out histogram cumulatively', async () => {
    const { stats, cluster, directory, metrics } = build();
    expect(stats.timeFanout).toBe(true);
    stats.framesIn = 5;
    cluster.claim('won');
    cluster.claim('won');
    stats.fanout.observe(0.00002); // ≤ 25 µs
    stats.fanout.observe(0.003); // ≤ 5 ms
    stats.fanout.observe(9); // +Inf
    for (let i = 0; i < 4; i++) stats.roomClosed('expired');
    cluster.claim('lost');
    stats.codeAttempts.set('wrong_code', 2);
    stats.codeAttemptsRateLimited = 1;
    cluster.forwardOpened('in');
    cluster.directoryOp('lookup', 0.002);
    cluster.directoryOp('claim', 0.004, new DirectoryUnavailableError());
    let samples = parseSamples(await metrics.scrape());
    expect(samples.get('nullroom_frames_received_total')).toBe(5);
    expect(samples.get('nullroom_connections')).toBe(7);
    expect(samples.get('nullroom_rooms{mode="support"}')).toBe(1);
    expect(samples.get('nullroom_rooms{mode="code"}')).toBe(2);
    expect(samples.get('nullroom_code_attempts_total{outcome="wrong_code"}')).toBe(2);
    expect(samples.get('nullroom_code_attempts_total{outcome="accepted"}')).toBe(0);
    expect(samples.get('nullroom_rate_limited_total{kind="code_attempts"}')).toBe(1);
    expect(samples.get('nullroom_rooms_closed_total{reason="locked"}')).toBe(0);
    expect(samples.get('nullroom_rooms_closed_total{reason="expired"}')).toBe(4);
    expect(samples.get('nullroom_rooms_closed_total{reason="closed"}')).toBe(0);
    expect(samples.get('nullroom_claims_total{result="won"}')).toBe(2);
    expect(samples.get('nullroom_claims_total{result="lost"}')).toBe(1);
    expect(samples.get('nullroom_forwarded_connections{direction="in"}')).toBe(1);
    expect(samples.get('nullroom_directory_operations_total{op="lookup",result="ok"}')).toBe(1);
    expect(samples.get('nullroom_directory_operations_total{op="claim",result="error"}')).toBe(1);
    expect(samples.get('nullroom_directory_errors_total{kind="unavailable"}')).toBe(1);
    expect(samples.get('nullroom_directory_up')).toBe(1);
    expect(samples.get('nullroom_fanout_duration_seconds_bucket{le="0.00001"}')).toBe(0);
    expect(samples.get('nullroom_fanout_duration_seconds_bucket{le="0.000025"}')).toBe(1);
    expect(samples.get('nullroom_fanout_duration_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(samples.get('nullroom_fanout_duration_seconds_bucket{le="0.005"}')).toBe(2);
    expect(samples.get('nullroom_fanout_duration_seconds_bucket{le="0.25"}')).toBe(2);
    expect(samples.get('nullroom_fanout_duration_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(samples.get('nullroom_fanout_duration_seconds_count')).toBe(3);
    expect(samples.get('nullroom_fanout_duration_seconds_sum')).toBeCloseTo(9.00302, 9);
    // Counters follow the plain numbers on the next scrape.
    stats.framesIn = 8;
    samples = parseSamples(await metrics.scrape());
    expect(samples.get('nullroom_frames_received_total')).toBe(8);
    directory.state = 'down';
    samples = parseSamples(await metrics.scrape());
    expect(samples.get('nullroom_directory_up')).toBe(0);
  });

  it('counts calls and TURN credentials without a label naming a room or a member', async () => {
    const { calls, metrics } = build();
    Object.assign(calls, {
      started: 3,
      ended: 2,
      active: 1,
      participants: 2,
      credentialsIssued: 6,
    });
    calls.refused.full = 1;
    const text = await metrics.scrape();
    const samples = parseSamples(text);
    expect(samples.get('nullroom_calls_started_total')).toBe(3);
    expect(samples.get('nullroom_calls_ended_total')).toBe(2);
    expect(samples.get('nullroom_calls_active')).toBe(1);
    expect(samples.get('nullroom_call_participants')).toBe(2);
    expect(samples.get('nullroom_turn_credentials_issued_total')).toBe(6);
    expect(samples.get('nullroom_call_joins_refused_total{reason="full"}')).toBe(1);
    expect(samples.get('nullroom_call_joins_refused_total{reason="disabled"}')).toBe(0);
    const callSeries = text.split('\n').filter((l) => /^nullroom_(calls?|turn)_/.test(l));
    for (const line of callSeries) expect(line).toMatch(/^[a-z_]+(\{reason="(full|disabled)"\})? /);
  });

  it('one store per concern: every counter feeds exactly one series, and every series one counter', async () => {
    const { stats, cluster, calls, metrics } = build();
    // Each source gets its own power of two: a series fed by two sources (or counted twice)
    // would show a sum no source has; a source no series reads would be missing.
    let next = 1;
    const assigned = new Map<number, string>();
    const give = (name: string): number => {
      const value = 2 ** next++;
      assigned.set(value, name);
      return value;
    };
    const numeric = (o: object) =>
      Object.keys(o).filter((k) => typeof (o as Record<string, unknown>)[k] === 'number');
    for (const key of numeric(stats).filter((k) => k !== 'startedAt'))
      (stats as unknown as Record<string, number>)[key] = give(`stats.${key}`);
    for (const reason of ROOM_CLOSE_REASONS)
      stats.roomsClosedByReason.set(reason, give(`stats.roomsClosedByReason.${reason}`));
    for (const outcome of CODE_ATTEMPT_OUTCOMES)
      stats.codeAttempts.set(outcome, give(`stats.codeAttempts.${outcome}`));
    stats.closesByCode.set(4003, give('stats.closesByCode.4003'));
    calls.started = give('calls.started');
    calls.ended = give('calls.ended');
    calls.credentialsIssued = give('calls.credentialsIssued');
    calls.refused.full = give('calls.refused.full');
    calls.refused.disabled = give('calls.refused.disabled');
    for (const group of [
      'claims',
      'handovers',
      'forwardedTotal',
      'directoryOk',
      'directoryFailed',
      'directoryErrors',
    ] as const) {
      const record = cluster[group] as Record<string, number>;
      for (const key of Object.keys(record)) record[key] = give(`cluster.${group}.${key}`);
    }
    const text = await metrics.scrape();
    const counters = new Set([...text.matchAll(/^# TYPE (\S+) counter$/gm)].map(([, n]) => n!));
    const seen = new Map<string, string>();
    for (const [series, value] of parseSamples(text)) {
      const name = series.replace(/\{.*$/, '');
      if (!counters.has(name) || name === 'nullroom_http_requests_total' || value === 0) continue;
      if (name === 'nullroom_drains_total') continue; // 0 or 1: the drain state, not a counter
      const source = assigned.get(value);
      expect([series, source]).toEqual([series, expect.any(String)]);
      expect(seen.has(source!)).toBe(false);
      seen.set(source!, series);
    }
    const unread = [...assigned.values()].filter((source) => !seen.has(source));
    expect(unread).toEqual([]);
  });

  it('labels HTTP requests by route template, never by path', () => {
    expect(templateOfPath('/rooms/1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBe('/rooms/:roomId');
    expect(templateOfPath('/admin/api/rooms/1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBe(
      '/admin/api/rooms/:roomId',
    );
    expect(templateOfPath('/admin/api/whatever')).toBe('unmatched');
    expect(templateOfPath('/admin/main.js')).toBe('/admin/*');
    expect(templateOfPath('/rooms/')).toBe('/rooms');
    expect(templateOfPath('/wp-login.php')).toBe('unmatched');
    expect(methodLabel('BREW')).toBe('OTHER');
  });

  it('docs/observability.md lists every metric; the dashboard and alerts use only real ones', async () => {
    const { metrics } = build();
    metrics.countHttp('/rooms', 'GET', 200); // so that its series (and labels) show
    const text = await metrics.scrape();
    const names = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name]) => name!));
    expect(names.size).toBeGreaterThan(25);
    const doc = read('docs/observability.md');
    for (const name of names) expect(doc).toMatch(new RegExp(`^\\| \`${name}\``, 'm'));
    // And what each row says: its type, and its labels (as the series carry them).
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, n, t]) => [n!, t!]));
    const labels = new Map<string, Set<string>>();
    for (const [, name, inner] of text.matchAll(
      /^([a-z_]+?)(?:_bucket|_sum|_count)?\{([^}]*)\}/gm,
    )) {
      const base = types.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
      const set = labels.get(base) ?? new Set<string>();
      for (const [, label] of inner!.matchAll(/([a-z_]+)="/g)) set.add(label!);
      labels.set(base, set);
    }
    for (const name of names) {
      if (!name.startsWith('nullroom_')) continue;
      const row = new RegExp(
        `^\\| \`${name}\`\\s*\\|\\s*(\\w+)\\s*\\|\\s*([^|]*?)\\s*\\|`,
        'm',
      ).exec(doc);
      const documentedLabels = (row?.[2] ?? '')
        .replace(/`/g, '')
        .split(',')
        .filter((l) => l !== '');
      expect([name, row?.[1], documentedLabels.sort()]).toEqual([
        name,
        types.get(name),
        [...(labels.get(name) ?? [])].sort(),
      ]);
    }

    const known = (name: string) =>
      names.has(name) || names.has(name.replace(/_(bucket|sum|count)$/, ''));
    const dashboard = JSON.parse(read('deploy/grafana/nullroom-relay.json')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...[...read('deploy/prometheus/nullroom-alerts.yaml').matchAll(/expr: (.+)$/gm)].map(
        ([, e]) => e!,
      ),
    ];
    expect(exprs.length).toBeGreaterThan(30);
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/nullroom_[a-z_]+/g)) {
        expect([name, known(name)]).toEqual([name, true]);
      }
    }
  });

  it('promtool: the alert rules are valid and their unit tests pass', () => {
    const dir = join(root, 'deploy/prometheus');
    const run = (...args: string[]) =>
      execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    // promtool comes from the Debian package `prometheus` (scripts/install-test-deps.sh).
    expect(run('check', 'rules', 'nullroom-alerts.yaml')).toContain('SUCCESS: 10 rules found');
    expect(run('test', 'rules', 'nullroom-alerts.test.yaml')).toContain('SUCCESS');
  });
});

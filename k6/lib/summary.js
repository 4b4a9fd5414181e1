// handleSummary helper: a short text report on stdout and the whole summary as JSON on disk
// (k6 writes the files returned by handleSummary; no remote jslib needed).

const SHOWN = [
  'fanout_latency',
  'fanout_deliveries',
  'fanout_lost',
  'fanout_duplicated',
  'frames_sent',
  'send_lag',
  'join_time',
  'join_failed',
  'join_retries',
  'reconnect_time',
  'reconnect_failed',
  'ws_unexpected_closes',
  'http_req_failed',
  'rooms_created',
  'churn_lost',
];

function fmt(values) {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
    .join(' ');
}

export function summarize(scenario, data, params) {
  const lines = [`${scenario}: ${JSON.stringify(params)}`];
  let failed = 0;
  const names = Object.keys(data.metrics);
  const shown = [];
  for (const base of SHOWN) {
    for (const name of names) if (name === base || name.startsWith(`${base}{`)) shown.push(name);
  }
  for (const name of names)
    if (!shown.includes(name) && data.metrics[name].thresholds) shown.push(name);
  for (const name of shown) {
    const metric = data.metrics[name];
    lines.push(`  ${name.padEnd(34)} ${fmt(metric.values)}`);
    for (const [expr, result] of Object.entries(metric.thresholds ?? {})) {
      if (!result.ok) failed++;
      lines.push(`    ${result.ok ? 'ok  ' : 'FAIL'} ${expr}`);
    }
  }
  lines.push(failed === 0 ? '  thresholds: all passed' : `  thresholds: ${failed} failed`);
  const setup = data.setup_data || {};
  // The send window in wall-clock ms, so a runner can line up its CPU samples with it.
  const window = setup.startAt
    ? { startAt: setup.startAt, endAt: setup.startAt + (params.windowMs || 0) }
    : undefined;
  const out = {
    scenario,
    params,
    window,
    thresholdsFailed: failed,
    metrics: data.metrics,
    state: data.state,
  };
  // Default under tmp/ (ignored by git and prettier); run k6 from the repository root.
  const path = __ENV.SUMMARY_PATH || `tmp/k6/${scenario}.json`;
  return { stdout: lines.join('\n') + '\n', [path]: JSON.stringify(out, null, 2) };
}

#!/usr/bin/env node
// Local cluster from the command line:
//   node deploy/local-cluster/cli.mjs up [--pods 3] [--fake] [--no-nginx] [--no-haproxy] [--echo]
// Then type commands on stdin: status | add | remove <pod> | kill <pod> | restart <pod> |
// redis stop | redis start | reload | down. Ctrl-C also stops everything.
import { LocalCluster, FAKE_POD_SCRIPT } from './cluster.ts';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    pods: { type: 'string', default: '3' },
    fake: { type: 'boolean', default: false },
    'no-nginx': { type: 'boolean', default: false },
    'no-haproxy': { type: 'boolean', default: false },
    echo: { type: 'boolean', default: false },
    logging: { type: 'string', default: '0' },
  },
});
if (positionals[0] !== 'up') {
  process.stderr.write(
    'usage: node deploy/local-cluster/cli.mjs up [--pods N] [--fake] [--no-nginx] [--no-haproxy] [--echo]\n',
  );
  process.exit(2);
}

const cluster = await LocalCluster.up(Number(values.pods), {
  podCommand: values.fake ? [process.execPath, FAKE_POD_SCRIPT] : undefined,
  nginx: !values['no-nginx'],
  haproxy: !values['no-haproxy'],
  echo: values.echo,
  logging: values.logging,
});

function status() {
  const lines = [`redis   ${cluster.redis.url} (${cluster.redis.running ? 'up' : 'stopped'})`];
  if (cluster.nginxUrl) lines.push(`nginx   ${cluster.nginxUrl}  (hash $arg_roomId consistent)`);
  if (cluster.haproxyUrl)
    lines.push(`haproxy ${cluster.haproxyUrl}  (url_param roomId, consistent)`);
  for (const pod of cluster.pods()) {
    lines.push(
      `${pod.name.padEnd(7)} ${pod.url}  internal ${pod.address}  ${pod.state}${pod.pid ? ` pid ${pod.pid}` : ''}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await cluster.down();
  process.exit(code);
}
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

status();
const rl = createInterface({ input: process.stdin, terminal: false });
// Commands run one after another, in the order typed.
let queue = Promise.resolve();
rl.on('line', (line) => {
  queue = queue.then(() => run(line));
});
async function run(line) {
  const [cmd, arg] = line.trim().split(/\s+/);
  try {
    switch (cmd) {
      case 'status':
        break;
      case 'add':
        await cluster.addPod();
        break;
      case 'remove':
        await cluster.removePod(arg);
        break;
      case 'kill':
        await cluster.killPod(arg);
        break;
      case 'restart':
        await cluster.restartPod(arg);
        break;
      case 'pause':
        cluster.pausePod(arg);
        break;
      case 'resume':
        cluster.resumePod(arg);
        break;
      case 'reload':
        await cluster.reloadIngress();
        break;
      case 'redis':
        await (arg === 'stop' ? cluster.stopRedis() : cluster.startRedis());
        break;
      case 'down':
      case 'quit':
      case 'exit':
        return stop(0);
      case '':
      case undefined:
        return;
      default:
        process.stdout.write(`unknown command: ${cmd}\n`);
        return;
    }
    status();
  } catch (error) {
    process.stdout.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
}
// End of input (Ctrl-D, or a script piping commands) stops the cluster after queued commands.
rl.on('close', () => void queue.then(() => stop(0)));

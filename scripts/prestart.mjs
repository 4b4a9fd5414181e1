#!/usr/bin/env node
// Runs before `npm start` (npm's prestart hook) and from scripts/start.sh: makes sure the relay,
// the admin dashboard and the widget are built, so `npm install && npm start` works on a fresh
// clone as seed 000 describes it. Nx builds only what changed since the last build (its cache);
// the first start of a clone builds everything, later ones take a few seconds.
//
// LOGGING=0 (from the environment or .env) promises zero bytes on stdout and stderr: the build's
// output is then kept in memory and shown only if the build fails (a failed start must say why).
// Otherwise one line says what happens, and the build's output is shown only on failure too.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadDotEnv, ROOT } from './lib/dotenv.mjs';

const NEEDED_NODE = 24;

function fail(message) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < NEEDED_NODE) {
  fail(
    `Nullroom needs Node.js ${NEEDED_NODE} (this is ${process.version}). ` +
      'Install Node 24, or run scripts/start.sh, which fetches Node 24 from the npm registry.',
  );
}
const nx = join(ROOT, 'node_modules', '.bin', 'nx');
if (!existsSync(nx)) fail('dependencies are missing: run `npm install` first.');

// The relay will see the same: the environment first, then .env.
loadDotEnv();
const quiet = process.env.LOGGING === '0';
if (!quiet) {
  process.stdout.write(
    'npm start: building the relay, admin dashboard and widget (only what changed; ' +
      'the first start of a clone takes a few minutes)\n',
  );
}
const started = Date.now();
const child = spawn(nx, ['run-many', '-t', 'build', '--outputStyle=static'], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
  },
});
const output = [];
child.stdout.on('data', (chunk) => output.push(chunk));
child.stderr.on('data', (chunk) => output.push(chunk));
child.on('close', (code, signal) => {
  if (code === 0) {
    if (!quiet) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`npm start: build up to date (${seconds} s)\n`);
    }
    return;
  }
  process.stderr.write(Buffer.concat(output));
  fail(`the build failed (${signal ?? `exit ${code}`}); its output is above.`);
});

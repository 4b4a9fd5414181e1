// Bundles the widget into one minified IIFE (global `AnochatWidget`) with a sourcemap beside it,
// and copies the demo page. Workspace libraries are bundled from their sources (as the tests do)
// so esbuild can tree-shake ES modules instead of the libraries' CommonJS builds.
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = import.meta.dirname;
const libs = join(here, '..', '..', 'libs');
const dist = join(here, 'dist');
const outfile = join(dist, 'anochat-widget.js');

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  format: 'iife',
  globalName: 'AnochatWidget',
  platform: 'browser',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  banner: { js: '/*! Nullroom widget (AnochatWidget) | MIT */' },
  logLevel: 'warning',
  alias: Object.fromEntries(
    ['protocol', 'e2ee', 'client'].map((lib) => [
      `@nullroom/${lib}`,
      join(libs, lib, 'src', 'index.ts'),
    ]),
  ),
  outfile,
});
// The demo page's script: a separate file, so a strict CSP can forbid inline script.
await build({
  entryPoints: [join(here, 'src', 'demo.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  logLevel: 'warning',
  outfile: join(dist, 'demo.js'),
});
await copyFile(join(here, 'src', 'index.html'), join(dist, 'index.html'));

const js = await readFile(outfile);
console.log(
  `apps/widget/dist/anochat-widget.js: ${(js.length / 1024).toFixed(1)} KiB, ${(gzipSync(js).length / 1024).toFixed(1)} KiB gzipped`,
);

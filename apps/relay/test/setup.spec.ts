import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Seed 000's set-up steps point at files by name; these keep the names true. (The steps
 * themselves run for real in seed-setup.e2e.spec.ts; Docker has no engine on these machines, so
 * the compose files are checked by what they say.)
 */
const ROOT = join(__dirname, '../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('seed-000 set-up files', () => {
  it('`docker compose up --build -d` at the root includes deploy/compose.yaml, which builds the root with the root .env', () => {
    const root = read('compose.yaml');
    expect(root).toMatch(/^include:\n {2}- path: deploy\/compose\.yaml$/m);
    const deploy = read('deploy/compose.yaml');
    // Relative paths in an included file resolve against its own folder (deploy/).
    const context = /^ {6}context: (\S+)$/m.exec(deploy)?.[1];
    const envFile = /^ {6}- path: (\S+)\n {8}required: false$/m.exec(deploy)?.[1];
    expect(context && resolve(ROOT, 'deploy', context)).toBe(resolve(ROOT));
    expect(envFile && resolve(ROOT, 'deploy', envFile)).toBe(resolve(ROOT, '.env'));
    expect(/^ {6}dockerfile: (\S+)$/m.exec(deploy)?.[1]).toBe('deploy/Dockerfile');
  });

  it('`npm start` builds first and reads .env; `npm run build:widget` output is where the README says', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.prestart).toBe('node scripts/prestart.mjs');
    expect(scripts.start).toBe('node scripts/serve.mjs');
    expect(read('scripts/serve.mjs')).toContain('loadDotEnv()');
    expect(read('apps/widget/build.mjs')).toContain("join(dist, 'anochat-widget.js')");
    expect(read('README.md')).toContain('`apps/widget/dist/anochat-widget.js`');
    expect(read('.gitignore')).toMatch(/^\.env$/m);
  });
});

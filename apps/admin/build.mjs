// Builds the dashboard with the @angular/build:application builder (esbuild), the way `ng build`
// runs it, without the Angular CLI: Architect reads angular.json beside this file.
// Output: apps/admin/dist/browser/ (index.html + hashed assets), which the relay serves at /admin/.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The devkit packages are CommonJS with directory entry points: load them with require.
const require = createRequire(import.meta.url);
const { Architect } = require('@angular-devkit/architect');
const { WorkspaceNodeModulesArchitectHost } = require('@angular-devkit/architect/node');
const { logging, schema, workspaces } = require('@angular-devkit/core');
const { NodeJsSyncHost } = require('@angular-devkit/core/node');

process.env.NG_CLI_ANALYTICS = 'false';
const root = dirname(fileURLToPath(import.meta.url));
const registry = new schema.CoreSchemaRegistry();
registry.addPostTransform(schema.transforms.addUndefinedDefaults);
const { workspace } = await workspaces.readWorkspace(
  join(root, 'angular.json'),
  workspaces.createWorkspaceHost(new NodeJsSyncHost()),
);
const architect = new Architect(new WorkspaceNodeModulesArchitectHost(workspace, root), registry);
const logger = new logging.Logger('admin');
logger.subscribe((entry) =>
  (entry.level === 'error' || entry.level === 'fatal' ? console.error : console.log)(entry.message),
);
const run = await architect.scheduleTarget({ project: 'admin', target: 'build' }, {}, { logger });
const result = await run.lastOutput;
await run.stop();
if (!result.success) {
  console.error('admin: build failed');
  process.exit(1);
}

#!/usr/bin/env node
// `npm start` and scripts/start.sh end here: .env from the repository root (the environment wins
// over it), then the built relay runs in this very process, so SIGTERM reaches its drain directly
// and there is no wrapper to print anything.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { loadDotEnv, ROOT } from './lib/dotenv.mjs';

loadDotEnv();
await import(pathToFileURL(join(ROOT, 'apps', 'relay', 'dist', 'main.js')).href);

// .env in the repository root, as `npm start`, scripts/start.sh and `docker compose` read it
// (seed 000: `cp .env.example .env`). A variable already in the environment wins over the file;
// a missing file is no error and prints nothing (node --env-file-if-exists would print a line on
// stderr, which LOGGING=0 forbids).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Loads ROOT/.env into process.env without overriding what is set; returns whether it existed. */
export function loadDotEnv(root = ROOT) {
  const file = join(root, '.env');
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}

// The one piece of I/O of export: each app's env_file, parsed as the loader parses it (it has
// checked that the files exist). The exporters themselves stay pure.
import { readFile } from 'node:fs/promises';
import { parse as parseDotenv } from 'dotenv';
import type { DesiredState } from '../config/desired.js';

export const readEnvFiles = async (desired: DesiredState): Promise<Map<string, Record<string, string>>> => {
  const out = new Map<string, Record<string, string>>();
  for (const app of desired.apps) {
    if (app.envFile !== undefined) out.set(app.name, parseDotenv(await readFile(app.envFile, 'utf8')));
  }
  return out;
};

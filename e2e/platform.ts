// What the journeys need to know about the running platform: read from $COVE_STATE_DIR/env, which
// `make up` writes.
import { readFileSync } from 'node:fs';
import path from 'node:path';

function readEnvFile(): Record<string, string> {
  const stateDir = path.resolve(process.env.COVE_STATE_DIR ?? '.cove');
  const values: Record<string, string> = {};
  for (const line of readFileSync(path.join(stateDir, 'env'), 'utf8').split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return values;
}

const env = readEnvFile();

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is missing from .cove/env; run make up first.`);
  return value;
}

export const platform = {
  dashboardUrl: required('COVE_DASHBOARD_URL'),
  apiUrl: required('COVE_API_URL'),
  appUrl: (name: string) => required('COVE_APPS_URL').replace('{name}', name),
  apiToken: required('COVE_API_TOKEN'),
};

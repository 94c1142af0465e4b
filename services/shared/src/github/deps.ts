// What the GitHub domain needs from its host process.
import type { CommonConfig } from '../config/schemas';
import type { Database } from '../db/client';

export interface GitHubDeps {
  db: Database;
  config: CommonConfig;
}

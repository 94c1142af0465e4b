// The shape of one benchmark run, as printed and as written to bench/results/*.json.
import type { ChurnResult, HttpResult, MemoryResult, Settings, WebSocketResult } from './phases';
import type { TargetName } from './targets';

export interface TargetResults {
  name: TargetName;
  description: string;
  /** Processes that proxy (nginx workers, Cove's Node process); 0 for a direct connection. */
  processes: number;
  http: HttpResult;
  webSocket: WebSocketResult;
  /** Only for proxies: a direct connection has no process in between to weigh. */
  memory: MemoryResult | null;
  churn: ChurnResult | null;
}

export interface GoalResult {
  goal: string;
  measured: string;
  /** null when a number the goal needs was not measured. */
  isMet: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: { cores: number; loadAverageAtStart: number[]; node: string; nginx: string; wrk: string };
  /** Which proxy was measured: the commit, and whether services/proxy had changes on top of it. */
  proxySource: { commit: string; hasUncommittedChanges: boolean };
  settings: Settings;
  targets: TargetResults[];
  goals: GoalResult[];
}

// Whether this host could wake an app by CRIU checkpoint/restore (`docker checkpoint create` then
// `docker start --checkpoint`), which would keep a stopped app's loaded state: the CRIU binary must
// pass `criu check` and the engine must run in experimental mode. Only asks; never changes the host.
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import type { Engine } from './engine';

export interface CriuSupport {
  isUsable: boolean;
  /** What was found, in one line: the criu check's verdict and the engine's experimental flag. */
  reason: string;
}

/** `GET /version`: Docker 20.10 reports its experimental mode on the Engine component. */
const engineVersion = z.object({
  Version: z.string(),
  Experimental: z.boolean().optional(),
  Components: z
    .array(z.object({ Name: z.string(), Details: z.record(z.string(), z.unknown()).nullish() }))
    .nullish(),
});

export function isEngineExperimental(version: z.infer<typeof engineVersion>): boolean {
  if (version.Experimental === true) return true;
  const engine = version.Components?.find((component) => component.Name === 'Engine');
  return String(engine?.Details?.Experimental) === 'true';
}

/** The last line criu printed that says why (its errors end with the one that stopped it). */
export function criuCheckVerdict(status: number | null, output: string): { isOk: boolean; said: string } {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (status === 0) return { isOk: true, said: lines.at(-1) ?? 'Looks good.' };
  const errors = lines.filter((line) => line.startsWith('Error'));
  return { isOk: false, said: errors.at(0) ?? lines.at(-1) ?? `exit code ${status ?? 'none'}` };
}

export async function detectCriu(engine: Engine, criuPath = 'criu'): Promise<CriuSupport> {
  const check = spawnSync(criuPath, ['check'], { encoding: 'utf8', timeout: 30_000 });
  const criu =
    check.error !== undefined
      ? { isOk: false, said: `not runnable (${check.error.message})` }
      : criuCheckVerdict(check.status, `${check.stdout}\n${check.stderr}`);
  const version = engineVersion.parse(JSON.parse((await engine.expectOk('GET', '/version')).body));
  const isExperimental = isEngineExperimental(version);
  const reason = [
    `criu check: ${criu.isOk ? 'ok' : 'failed'}: ${criu.said}`,
    `Docker ${version.Version} experimental: ${isExperimental ? 'on' : 'off (docker checkpoint needs it)'}`,
  ].join('; ');
  return { isUsable: criu.isOk && isExperimental, reason };
}

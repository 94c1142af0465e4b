// The `cove` bin's entry (bin/cove.js loads the bundle of this file).
import { runCli } from './program';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});

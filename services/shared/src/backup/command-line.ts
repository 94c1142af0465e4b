// The backup commands' flags: parsed by node:util, a mistake printed with the usage (exit 1), and
// --help (which every caller declares) printing the usage (exit 0).
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']> & { help: { type: 'boolean'; default: false } };

export function readCommandLine<const T extends Options>(options: T, usage: string) {
  let values: ReturnType<typeof parseArgs<{ options: T }>>['values'];
  try {
    values = parseArgs({ options }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exit(1);
  }
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}

import { expect, test } from 'vitest';
import { DeployFailure } from '../failure';
import { offeredRuntimes } from './runtime-images';

const versions: Record<string, string> = {
  'cove/runtime:dev': '3.11.2',
  'cove/runtime:dev-trixie': '3.13.5',
};
const versionOf = async (image: string) => versions[image] ?? '0.0.0';

test('each listed image offers the Python it really has, the default first', async () => {
  const config = {
    COVE_RUNTIME_IMAGE: 'cove/runtime:dev',
    COVE_RUNTIME_IMAGES: [
      { pythonVersion: '3.11', image: 'cove/runtime:dev' },
      { pythonVersion: '3.13', image: 'cove/runtime:dev-trixie' },
    ],
  };
  expect(await offeredRuntimes(config, versionOf)).toEqual([
    { pythonVersion: '3.11.2', image: 'cove/runtime:dev' },
    { pythonVersion: '3.13.5', image: 'cove/runtime:dev-trixie' },
  ]);
});

test('without a list, the one runtime image offers its own Python', async () => {
  const config = { COVE_RUNTIME_IMAGE: 'cove/runtime:dev-trixie', COVE_RUNTIME_IMAGES: [] };
  expect(await offeredRuntimes(config, versionOf)).toEqual([
    { pythonVersion: '3.13.5', image: 'cove/runtime:dev-trixie' },
  ]);
});

test('an image listed with a Python it does not have is refused, naming both', async () => {
  const config = {
    COVE_RUNTIME_IMAGE: 'cove/runtime:dev',
    COVE_RUNTIME_IMAGES: [{ pythonVersion: '3.12', image: 'cove/runtime:dev' }],
  };
  const refusal = offeredRuntimes(config, versionOf);
  await expect(refusal).rejects.toBeInstanceOf(DeployFailure);
  await expect(refusal).rejects.toThrow(
    'The runtime image cove/runtime:dev has Python 3.11.2, not 3.12 as COVE_RUNTIME_IMAGES says.',
  );
});

import { expect, test } from 'vitest';
import { describeStreamlitConfig } from './streamlit-config';

test('lists the options the platform overrides', () => {
  const config =
    '[theme]\nprimaryColor = "#f00"\n\n[server]\nport = 80\nbaseUrlPath = "demo"\nmaxUploadSize = 10\n';
  expect(describeStreamlitConfig('app.py', new Map([['.streamlit/config.toml', config]]))).toEqual([
    "Using the repository's .streamlit/config.toml, except server.port, server.baseUrlPath: Cove sets these options itself, so they are overridden.",
  ]);
});

test('says the file is used as is when it sets none of them', () => {
  expect(
    describeStreamlitConfig('app.py', new Map([['.streamlit/config.toml', '[theme]\nbase = "dark"\n']])),
  ).toEqual(["Using the repository's .streamlit/config.toml."]);
});

test('says a config beside a main file in a folder is not read, and says nothing without one', () => {
  expect(describeStreamlitConfig('src/app.py', new Map([['src/.streamlit/config.toml', '']]))).toEqual([
    'src/.streamlit/config.toml is not read: Streamlit reads .streamlit/config.toml at the repository root, where the app runs. Move it there.',
  ]);
  expect(describeStreamlitConfig('app.py', new Map())).toEqual([]);
});

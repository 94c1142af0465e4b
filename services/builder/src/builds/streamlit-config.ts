// The repository's .streamlit/config.toml applies as is (the app runs from the repository root),
// except the options the platform owns, which the entrypoint sets on the command line. The build
// log says which of the author's settings are overridden, and when a config file will not be read.
import { parse } from 'smol-toml';

export const streamlitConfigFile = '.streamlit/config.toml';

/** Set by the runtime image's entrypoint, whatever the repository says. */
export const platformOwnedOptions = [
  'server.address',
  'server.port',
  'server.headless',
  'server.baseUrlPath',
  'server.trustedUserHeaders',
] as const;

function hasOption(config: Record<string, unknown>, option: string): boolean {
  const [section, name] = option.split('.');
  const table = section === undefined ? undefined : config[section];
  return typeof table === 'object' && table !== null && name !== undefined && name in table;
}

/** Build-log lines about the repository's Streamlit configuration. */
export function describeStreamlitConfig(mainFile: string, files: ReadonlyMap<string, string>): string[] {
  const notes: string[] = [];
  const folder = mainFile.includes('/') ? mainFile.slice(0, mainFile.lastIndexOf('/')) : '';
  const besideMainFile = `${folder}/${streamlitConfigFile}`;
  if (folder !== '' && files.has(besideMainFile)) {
    notes.push(
      `${besideMainFile} is not read: Streamlit reads ${streamlitConfigFile} at the repository root, where the app runs. Move it there.`,
    );
  }
  const content = files.get(streamlitConfigFile);
  if (content === undefined) return notes;
  let config: Record<string, unknown>;
  try {
    config = parse(content);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return [
      ...notes,
      `Warning: ${streamlitConfigFile} is not valid TOML, and Streamlit will refuse it: ${reason}`,
    ];
  }
  const overridden = platformOwnedOptions.filter((option) => hasOption(config, option));
  notes.push(
    overridden.length === 0
      ? `Using the repository's ${streamlitConfigFile}.`
      : `Using the repository's ${streamlitConfigFile}, except ${overridden.join(', ')}: Cove sets ${overridden.length === 1 ? 'this option' : 'these options'} itself, so ${overridden.length === 1 ? 'it is' : 'they are'} overridden.`,
  );
  return notes;
}

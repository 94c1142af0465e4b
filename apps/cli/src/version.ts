/** The CLI's version, as in apps/cli/package.json (a unit test keeps the two equal). */
export const cliVersion = '0.1.0';

/**
 * Rendering of my.cnf fragments: a shipped base file plus typed settings appended
 * under `[mysqld]`. Settings are validated so that a typo cannot produce a file the
 * server refuses to start with.
 */

/** Server settings: option name to value (`ON`, a number, a path …). */
export type ServerSettings = Record<string, string | number | boolean>;

const OPTION_NAME = /^[a-z][a-z0-9_-]*$/;

/** Throws unless every option name and value can be written to a my.cnf line. */
export function validateSettings(what: string, settings: ServerSettings): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!OPTION_NAME.test(name)) {
      throw new Error(`${what}: option name must be lower-case letters, digits, '_' or '-' (got "${name}")`);
    }
    const text = String(value);
    if (/[\r\n#]/.test(text) || text.trim() === '') {
      throw new Error(`${what}: value of "${name}" must be a non-empty single line without '#' (got ${JSON.stringify(text)})`);
    }
  }
}

function settingValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') {
    return value ? 'ON' : 'OFF';
  }
  return String(value);
}

/**
 * Appends titled `[mysqld]` sections to a base fragment. Sections with no settings are
 * left out; later sections win because the server reads options in file order.
 */
export function renderFragment(base: string, sections: ReadonlyArray<{ title: string; settings: ServerSettings }>): string {
  let text = base.endsWith('\n') ? base : `${base}\n`;
  for (const section of sections) {
    const entries = Object.entries(section.settings);
    if (entries.length === 0) {
      continue;
    }
    text += `\n# ${section.title}\n[mysqld]\n`;
    for (const [name, value] of entries) {
      text += `${name} = ${settingValue(value)}\n`;
    }
  }
  return text;
}

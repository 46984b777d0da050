/**
 * The one error type for user mistakes in the simulation file (or in CLI values that override
 * it), and for YAML that does not parse in `.shadowrc`. The CLI prints `message` alone: these
 * are expected failures, so no stack trace.
 */

/** A step in a key path: a map key or a list index. */
export type KeySegment = string | number;

/**
 * Renders a key path the way users read it: `hosts.server.processes[0].start_time`.
 * Indices get brackets; map keys are joined with dots.
 */
export function formatKeyPath(path: readonly KeySegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/**
 * A configuration mistake, located as precisely as we can: file, 1-based line (undefined when
 * the value has no place in a file, e.g. it came from the command line) and key path.
 * `message` is one line: `<file>:<line>: <keyPath>: <what is wrong and what was expected>`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The file the mistake is in ('<stdin>' when the configuration came from stdin). */
  readonly file: string;
  /** 1-based line, or undefined when unknown. */
  readonly line: number | undefined;
  /** Dotted key path such as `hosts.a.processes[0].path`; '' for file-level errors. */
  readonly keyPath: string;
  /** The explanation alone, without the location prefix. */
  readonly detail: string;

  constructor(file: string, line: number | undefined, keyPath: string, detail: string) {
    // Multi-line details (e.g. from the YAML parser) would break the one-line contract.
    const oneLine = detail.replace(/\s*\n\s*/g, ' ').trim();
    const where = line === undefined ? file : `${file}:${line}`;
    super(keyPath === '' ? `${where}: ${oneLine}` : `${where}: ${keyPath}: ${oneLine}`);
    this.file = file;
    this.line = line;
    this.keyPath = keyPath;
    this.detail = oneLine;
  }
}

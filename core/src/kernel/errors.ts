/** A failure the user must act on, with a stable code (PLUGIN_ERROR, PLUGIN_API_UNSUPPORTED, …). */
export class ShadowError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ShadowError';
  }
}

/** An exception thrown inside a plugin's tap or apply, attributed to the plugin and syscall. */
export class PluginError extends ShadowError {
  constructor(
    readonly plugin: string,
    readonly where: string,
    readonly nr: number | null,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('PLUGIN_ERROR', `plugin "${plugin}" failed in ${where}: ${reason}`, { plugin, where, nr });
    this.cause = cause;
  }
}

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

/**
 * An exception thrown inside a plugin's tap or apply, attributed to the plugin and syscall. The
 * call is named with its raw arguments and caller so that it can be reproduced; for a built-in
 * plugin (`core:*`) it is our bug, and the message says so.
 */
export class PluginError extends ShadowError {
  constructor(
    readonly plugin: string,
    readonly where: string,
    readonly nr: number | null,
    cause: unknown,
    call?: string,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const internal = plugin.startsWith('core:') ? 'internal error: ' : '';
    super('PLUGIN_ERROR', `${internal}plugin "${plugin}" failed in ${where}: ${reason}${call ? ` (call: ${call})` : ''}`, {
      plugin,
      where,
      nr,
    });
    this.cause = cause;
  }
}

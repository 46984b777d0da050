// A third-party shadow-ts plugin: uname(2) reports the kernel release given in the plugin's
// options (`.shadowrc`: plugins: [[shadow-plugin-uname-release, { release: "…" }]]).
// It imports the plugin SDK only, exactly as the built-in plugins do.
import { Errno, definePlugin, errno, ok } from '@shadow-ts/plugin-sdk';
import { machine, version } from 'node:os';

const PLUGIN_NAME = 'shadow-plugin-uname-release';
const FIELD = 65; // each struct utsname field is a 65-byte NUL-terminated string

export default definePlugin({
  meta: {
    name: PLUGIN_NAME,
    version: '1.0.0',
    apiVersion: '^2.2.0',
    // The loader checks the options against this before apply runs: a misspelt or missing
    // option stops the run with one line naming the key.
    optionsSchema: {
      type: 'object',
      properties: { release: { type: 'string', description: 'what uname reports as the kernel release', minLength: 1 } },
      required: ['release'],
      additionalProperties: false,
    },
  },
  apply(kernel, options) {
    // What a schema cannot count: the field holds 64 bytes of UTF-8 and its NUL.
    if (new TextEncoder().encode(options.release).length >= FIELD) throw new Error('option "release" must be at most 64 bytes');
    const release = options.release;
    // stage -1: run before the built-in core:process handler, which would otherwise answer first.
    kernel.hooks.syscall.for('uname').tap({ name: PLUGIN_NAME, stage: -1 }, (ctx) => {
      const fields = ['Linux', ctx.host.name, release, version(), machine(), '(none)'];
      const utsname = new Uint8Array(FIELD * fields.length);
      fields.forEach((f, i) => utsname.set(new TextEncoder().encode(f).subarray(0, FIELD - 1), i * FIELD));
      return ctx.memory.write(ctx.args.ptr(0), utsname) ? ok() : errno(Errno.EFAULT);
    });
  },
});

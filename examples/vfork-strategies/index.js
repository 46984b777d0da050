// A third-party vfork strategy. `eagain-once` fails the first vfork of each process with EAGAIN,
// as a kernel short of processes would, and hands every later one to another strategy (`as-fork`
// unless `.shadowrc` says `vfork: [eagain-once, { then: native }]`), so that callers' retry and
// fallback paths run. It imports the plugin SDK only, exactly as the built-in plugins do.
import { Errno, definePlugin, errno } from '@shadow-ts/plugin-sdk';

const PLUGIN_NAME = 'shadow-plugin-vfork-eagain-once';

export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '1.0.0', apiVersion: '^0.1.0' },
  apply(kernel) {
    const refused = new WeakSet(); // process views are stable objects
    let then = 'as-fork';
    kernel.vfork.register({
      name: 'eagain-once',
      description: 'fail the first vfork of each process with EAGAIN, then behave as another strategy (default as-fork)',
      configure(options) {
        const others = kernel.vfork.names().filter((name) => name !== 'eagain-once');
        then = options.then ?? 'as-fork';
        if (!others.includes(then)) {
          throw new Error(`eagain-once: option then must be one of ${others.join(', ')}, got ${JSON.stringify(options.then)}`);
        }
      },
      onVfork(ctx, call) {
        if (!refused.has(ctx.process)) {
          refused.add(ctx.process);
          kernel.log.info(`${call.syscall} of ${ctx.host.name} process ${ctx.process.pid} fails with EAGAIN (its first vfork)`);
          return errno(Errno.EAGAIN);
        }
        return kernel.vfork.get(then).onVfork(ctx, call);
      },
    });
  },
});

// A third-party vfork strategy. `eagain-once` fails the first vfork of each process with EAGAIN,
// as a kernel short of processes would, and hands every later one to another strategy (`as-fork`
// unless `.shadowrc` says `vfork: [eagain-once, { then: native }]`), so that callers' retry and
// fallback paths run. It imports the plugin SDK only, exactly as the built-in plugins do.
import { Errno, checkOptionKeys, definePlugin, errno } from '@shadow-ts/plugin-sdk';

const PLUGIN_NAME = 'shadow-plugin-vfork-eagain-once';

export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '1.0.0', apiVersion: '^2.0.0' },
  apply(kernel) {
    kernel.vfork.register({
      name: 'eagain-once',
      description: 'fail the first vfork of each process with EAGAIN, then behave as another strategy (default as-fork)',
      // Called once per host that uses the strategy, when the run starts: the options are checked
      // here, and the instance returned keeps that host's state.
      create(options, host) {
        checkOptionKeys(options, ['then']);
        const others = kernel.vfork.names().filter((name) => name !== 'eagain-once');
        const then = options.then ?? 'as-fork';
        if (!others.includes(then)) {
          throw new Error(`option then: expected one of ${others.join(', ')}, got ${JSON.stringify(options.then)}`);
        }
        const next = kernel.vfork.get(then).create({}, host);
        const refused = new WeakSet(); // process views are stable objects
        return {
          onVfork(ctx, call) {
            if (refused.has(ctx.process)) return next.onVfork(ctx, call);
            refused.add(ctx.process);
            kernel.log.info(`${call.syscall} of ${host.name} process ${ctx.process.pid} fails with EAGAIN (its first vfork)`);
            return errno(Errno.EAGAIN);
          },
        };
      },
    });
  },
});

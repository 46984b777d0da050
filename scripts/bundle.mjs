// Bundles the core, the built-in syscall families it imports, and their dependencies into
// core/dist/cli.bundle.js, which `shadow` (core/bin/shadow.js) runs: Node loads it in about half
// the time of the ~270 modules it replaces (start-up, issue 13 §3). Run after `tsc -b`; `npm run
// build` runs both, and so does packing @shadow-ts/core.
//
// Left out, loaded from node_modules as before:
//  - the plugin SDK: third-party plugins import it too, and must share its one copy;
//  - the native addon, and what only `shadow plot` needs (vega, vega-lite, resvg's addon);
//  - typescript, which cosmiconfig loads only for a `.shadowrc.ts`;
//  - ajv, yaml and the schemas, which the core requires through createRequire when it needs them.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../core/dist/', import.meta.url));
rmSync(`${dist}bundle-chunks`, { recursive: true, force: true });
await build({
  entryPoints: [`${dist}cli.js`],
  outdir: dist,
  entryNames: '[name].bundle',
  // What the core imports only when needed (the progress bar, semver and the resolver for
  // third-party plugins, plots) stays in files of its own, neither compiled nor run until then.
  splitting: true,
  chunkNames: 'bundle-chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['@shadow-ts/plugin-sdk', '@shadow-ts/native', 'vega', 'vega-lite', '@resvg/resvg-js', 'typescript'],
  // The CommonJS dependencies (commander, pino, …) call require; an ES module has none.
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
});

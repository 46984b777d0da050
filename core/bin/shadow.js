#!/usr/bin/env node
// The `shadow` command (the repository's bin/shadow.js runs this one). It runs the core bundled
// into one file (scripts/bundle.mjs, part of `npm run build` and of packing), which loads in
// about half the time of the ~270 modules it is made of. In a checkout, when the bundle is older
// than the last build of the core or of a built-in family (a `tsc -b` alone), it runs those
// modules instead, so a run never uses stale code.
import { statSync } from 'node:fs';

const BUILDS = ['..', '../../plugins/time', '../../plugins/process', '../../plugins/random', '../../plugins/io', '../../plugins/fs', '../../plugins/net'];
const modified = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundle = modified('../dist/cli.bundle.js');
const bundled = bundle >= 0 && bundle >= Math.max(...BUILDS.map((dir) => modified(`${dir}/tsconfig.tsbuildinfo`)));
const { main } = await import(bundled ? '../dist/cli.bundle.js' : '../dist/cli.js');

process.exitCode = await main(process.argv);

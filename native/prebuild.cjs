'use strict';
// `npm pack` (prepack): the addon built here goes into the tarball as a prebuild for this
// platform (prebuilds/<platform>-<arch>/node.napi.node, where node-gyp-build looks after
// build/Release), so an install on the same platform loads it instead of compiling; elsewhere
// node-gyp-build compiles binding.gyp. A copy, not the build's hard link, which tar would not carry.
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, 'build', 'Release', 'shadow_native.node');
if (!fs.existsSync(built)) throw new Error(`${built} is missing: run npm run rebuild first`);
const dir = path.join(__dirname, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(built, path.join(dir, 'node.napi.node'));

'use strict';
// The ptrace + seccomp backend addon; index.d.ts is the contract.
module.exports = require('node-gyp-build')(__dirname);
module.exports.fastTimeImage = require('node:path').join(__dirname, 'fast-time', 'build', 'fast-time.json');
// The addon already carries these. Naming them here lets Node's ESM loader (cjs-module-lexer)
// offer them as named imports: code run by tsx/esbuild cannot inline the const enums of
// index.d.ts and reads these objects instead.
module.exports.STOP_WORDS = module.exports.STOP_WORDS;
module.exports.REG_WORDS = module.exports.REG_WORDS;
module.exports.Stop = module.exports.Stop;
module.exports.StopKind = module.exports.StopKind;
module.exports.Resume = module.exports.Resume;
module.exports.Reg = module.exports.Reg;
module.exports.RunLimit = module.exports.RunLimit;

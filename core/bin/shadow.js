#!/usr/bin/env node
// The `shadow` command of an installed @shadow-ts/core (the repository's own is bin/shadow.js).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv);

#!/usr/bin/env node
import { main } from '@shadow-ts/core/cli';

process.exitCode = await main(process.argv);

#!/usr/bin/env node
// The repository's `shadow` command: the core's own.
import '../core/bin/shadow.js';

/**
 * Compiles schema/simulation.schema.json and schema/shadowrc.schema.json into
 * core/src/config/validators.generated.ts (ajv standalone code), so that a run does not compile
 * them at start-up. `npm run schemas` after changing a schema; test/unit/schema.test.ts fails
 * while the file is behind.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { standaloneValidators } from '../core/src/config/schema.js';

const out = join(import.meta.dirname, '../core/src/config/validators.generated.ts');
writeFileSync(out, standaloneValidators());
console.log(`wrote ${out}`);

/**
 * `npm run schema:print`: writes the public schema, as the gateway serves it, to schema.graphql.
 * test/schema-contract.test.ts fails while the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printPublicSchema, SCHEMA_FILE } from '../src/schema-contract/print.ts';

writeFileSync(SCHEMA_FILE, printPublicSchema());
console.log(`schema:print: wrote ${fileURLToPath(SCHEMA_FILE)}`);

// Regenerates schema/model-spec.schema.json from the zod model spec: `npm run schema -w @omnifuse/core`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { modelSpecJsonSchema } from '../src/model-spec.js';

const file = path.join(import.meta.dirname, '../schema/model-spec.schema.json');
writeFileSync(file, `${JSON.stringify(modelSpecJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);

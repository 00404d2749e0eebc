/** The editor JSON Schema is generated from the zod schema and referenced by every journey file. */
import { readFileSync } from 'node:fs';
import { journeyJsonSchema } from '../../lib/journey/json-schema';
import { journeyFiles } from '../../lib/journey/load';
import { STEP_TYPES } from '../../lib/journey/schema';

describe('journey.schema.json', () => {
  it('is exactly what `npm run schema` generates from lib/journey/schema.ts', () => {
    const onDisk = JSON.parse(readFileSync('workflows/journey.schema.json', 'utf8'));
    expect(onDisk).toEqual(journeyJsonSchema());
  });

  it('describes every step type and requires their fields', () => {
    const schema = journeyJsonSchema() as {
      properties: {
        steps: { additionalProperties: { oneOf: { properties: { type: { const: string } }; required: string[] }[] } };
      };
    };
    const variants = schema.properties.steps.additionalProperties.oneOf;
    expect(variants.map((v) => v.properties.type.const)).toEqual(STEP_TYPES);
    expect(variants.find((v) => v.properties.type.const === 'waitFor')?.required).toEqual(
      expect.arrayContaining(['event', 'timeout', 'next', 'onTimeout']),
    );
  });

  it.each(journeyFiles(['workflows']))('%s points its $schema at it', (file) => {
    expect(JSON.parse(readFileSync(file, 'utf8')).$schema).toBe('./journey.schema.json');
  });
});

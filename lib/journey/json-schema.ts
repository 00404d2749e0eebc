/** The editor JSON Schema of journey files, generated from the zod schema (never hand-edited). */
import * as z from 'zod';
import { journeySchema } from './schema';

/** JSON Schema (draft 2020-12) for workflows/*.json, referenced by their `$schema`. */
export function journeyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(journeySchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...schema, $id: 'https://baton.dev/schemas/journey.schema.json', title: 'Baton journey' };
}

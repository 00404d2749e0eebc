/**
 * A JSONata Map state's fields as AWS documents them
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html and the pages on Items,
 * ItemReader, ItemSelector, ItemBatcher and the tolerated failure threshold): first the checks AWS
 * makes when a state machine is created, which the local engine makes when the state runs
 * (States.Runtime, naming the field, the value and what is allowed), then the evaluation of the
 * fields when the Map starts.
 */
import { StateError } from './errors';
import { ITEM_READER_FAILED, type ItemSource } from './item-reader';
import { evalField, evalTyped, expressionOf, type Scope } from './jsonata-fields';
import { MAX_PAYLOAD_BYTES } from './limits';
import type { AslMachine, AslState } from './states';

/** The Map fields of a state (the other fields are the common ones of AslState). */
export interface MapFields {
  Items?: unknown;
  ItemReader?: {
    Resource?: unknown;
    ReaderConfig?: Record<string, unknown>;
    Arguments?: unknown;
    Parameters?: unknown;
  };
  ItemSelector?: unknown;
  ItemBatcher?: { MaxItemsPerBatch?: unknown; MaxInputBytesPerBatch?: unknown; BatchInput?: unknown };
  ItemProcessor?: AslMachine & { ProcessorConfig?: { Mode?: unknown; ExecutionType?: unknown } };
  MaxConcurrency?: unknown;
  ToleratedFailureCount?: unknown;
  ToleratedFailurePercentage?: unknown;
}

export type MapMode = 'INLINE' | 'DISTRIBUTED';

/** A Distributed Map runs at most this many children at once (AWS's limit, and its default). */
export const MAX_DISTRIBUTED_CONCURRENCY = 10_000;
/** An Inline Map runs at most this many iterations at once (AWS's documented ceiling). */
export const MAX_INLINE_CONCURRENCY = 40;
/** The most items a ReaderConfig.MaxItems may name (AWS's limit). */
export const MAX_READER_ITEMS = 100_000_000;

const GET_OBJECT = 'arn:aws:states:::s3:getObject';
const LIST_OBJECTS = 'arn:aws:states:::s3:listObjectsV2';
const JSONPATH_ONLY = [
  'ItemsPath',
  'Iterator',
  'Parameters',
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
];
const DELIMITERS: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

function invalid(message: string): StateError {
  return new StateError('States.Runtime', message);
}

/** Whether a value is one of the allowed ones; States.Runtime naming the field otherwise. */
function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  throw invalid(`the field '${field}' is ${JSON.stringify(value)}; allowed: ${allowed.join(', ')}`);
}

/**
 * The checks of a Map state's definition (what CreateStateMachine refuses): its processor, its
 * mode, and the fields that mode allows. Returns the mode and the processor's own definition.
 */
export function checkMapDefinition(state: AslState & MapFields): { mode: MapMode; processor: AslMachine } {
  for (const field of JSONPATH_ONLY) {
    if (field in state) throw invalid(`the field '${field}' is JSONPath only; a JSONata Map state does not take it`);
  }
  const p = state.ItemProcessor;
  if (!p || typeof p !== 'object' || typeof p.StartAt !== 'string' || !p.States || typeof p.States !== 'object') {
    throw invalid(`a Map state needs an ItemProcessor with StartAt and States`);
  }
  if (!(p.StartAt in p.States))
    throw invalid(`the ItemProcessor's StartAt names no state: ${JSON.stringify(p.StartAt)}`);
  const mode = oneOf(
    'ItemProcessor/ProcessorConfig/Mode',
    p.ProcessorConfig?.Mode,
    ['INLINE', 'DISTRIBUTED'],
    'INLINE',
  );
  if (mode === 'DISTRIBUTED') {
    // EXPRESS children run like STANDARD ones locally: they are not cut at five minutes.
    oneOf('ItemProcessor/ProcessorConfig/ExecutionType', p.ProcessorConfig?.ExecutionType, ['STANDARD', 'EXPRESS']);
  } else {
    for (const field of [
      'ItemReader',
      'ItemBatcher',
      'ToleratedFailureCount',
      'ToleratedFailurePercentage',
      'ResultWriter',
    ]) {
      if (field in state)
        throw invalid(`the field '${field}' is only allowed when ItemProcessor/ProcessorConfig/Mode is DISTRIBUTED`);
    }
  }
  if ('ResultWriter' in state) throw invalid(`the field 'ResultWriter' is not supported by the local engine`);
  if (state.Items !== undefined && state.ItemReader !== undefined) {
    throw invalid(`a Map state takes Items or ItemReader, not both`);
  }
  if (state.ItemReader) checkReader(state.ItemReader);
  const b = state.ItemBatcher;
  if (
    b !== undefined &&
    (typeof b !== 'object' || (b.MaxItemsPerBatch === undefined && b.MaxInputBytesPerBatch === undefined))
  ) {
    throw invalid(`an ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch`);
  }
  const { ProcessorConfig: _, ...processor } = p;
  return { mode, processor: { ...processor, QueryLanguage: 'JSONata' } as AslMachine };
}

function checkReader(r: NonNullable<MapFields['ItemReader']>): void {
  if ('Parameters' in r)
    throw invalid(`the field 'ItemReader/Parameters' is JSONPath only; a JSONata ItemReader takes Arguments`);
  const resource = oneOf('ItemReader/Resource', r.Resource, [GET_OBJECT, LIST_OBJECTS]);
  if (resource === LIST_OBJECTS) return;
  const c = r.ReaderConfig ?? {};
  const type = c.InputType;
  if (type === 'MANIFEST' || type === 'PARQUET')
    throw invalid(`the InputType ${type} is not supported by the local engine`);
  oneOf('ItemReader/ReaderConfig/InputType', type, ['JSON', 'JSONL', 'CSV']);
  if (type !== 'CSV') return;
  const where = oneOf(
    'ItemReader/ReaderConfig/CSVHeaderLocation',
    c.CSVHeaderLocation,
    ['FIRST_ROW', 'GIVEN'],
    'FIRST_ROW',
  );
  oneOf('ItemReader/ReaderConfig/CSVDelimiter', c.CSVDelimiter, Object.keys(DELIMITERS), 'COMMA');
  const headers = c.CSVHeaders;
  if (where === 'GIVEN' && !(Array.isArray(headers) && headers.length && headers.every((h) => typeof h === 'string'))) {
    throw invalid(`CSVHeaderLocation GIVEN needs CSVHeaders, a list of strings`);
  }
}

/** What a Map reads and how it runs, evaluated when it starts. */
export interface MapStart {
  source: ItemSource;
  /** Most items to read (ReaderConfig.MaxItems); 0 reads them all. */
  maxItems: number;
  maxConcurrency: number;
  batcher?: { maxItems?: number; maxBytes?: number; input?: unknown };
}

/** Evaluate the fields a Map reads before it starts: its items, its concurrency and its batches. */
export async function evalMapStart(state: AslState & MapFields, mode: MapMode, scope: Scope): Promise<MapStart> {
  const max = (await integer(state.MaxConcurrency, scope, 'MaxConcurrency', 0, Number.MAX_SAFE_INTEGER)) ?? 0;
  const limit = mode === 'DISTRIBUTED' ? MAX_DISTRIBUTED_CONCURRENCY : MAX_INLINE_CONCURRENCY;
  const start: MapStart = {
    source: { kind: 'items', items: [] },
    maxItems: 0,
    maxConcurrency: max === 0 ? limit : Math.min(max, limit),
  };
  if (state.ItemReader) {
    Object.assign(start, await evalReader(state.ItemReader, scope));
  } else {
    // Without Items, the Map iterates over its input, which must then be an array.
    const items =
      state.Items === undefined ? scope.states.input : await evalTyped(state.Items, scope, 'Items', 'array');
    if (!Array.isArray(items))
      throw invalid(`the Map state's input must be an array when it has no Items nor ItemReader`);
    start.source = { kind: 'items', items };
  }
  const b = state.ItemBatcher;
  if (b) {
    start.batcher = {
      maxItems: await integer(b.MaxItemsPerBatch, scope, 'ItemBatcher/MaxItemsPerBatch', 1, Number.MAX_SAFE_INTEGER),
      maxBytes: await integer(
        b.MaxInputBytesPerBatch,
        scope,
        'ItemBatcher/MaxInputBytesPerBatch',
        1,
        MAX_PAYLOAD_BYTES,
      ),
      input:
        b.BatchInput === undefined
          ? undefined
          : await evalTyped(b.BatchInput, scope, 'ItemBatcher/BatchInput', 'object'),
    };
  }
  return start;
}

async function evalReader(r: NonNullable<MapFields['ItemReader']>, scope: Scope): Promise<Partial<MapStart>> {
  const args = (await evalTyped(r.Arguments ?? {}, scope, 'ItemReader/Arguments', 'object')) as Record<string, unknown>;
  const c = r.ReaderConfig ?? {};
  const maxItems = c.MaxItems === undefined ? 0 : await readerInteger(c.MaxItems, scope);
  const text = (name: string, optional = false): string => {
    const v = args[name];
    if (typeof v === 'string' || (optional && v === undefined)) return v ?? '';
    throw new StateError(
      ITEM_READER_FAILED,
      `The ItemReader's Arguments/${name} must be a string${optional ? ' when given' : ''}, found ${v === null ? 'null' : typeof v}.`,
    );
  };
  if (r.Resource === LIST_OBJECTS)
    return { source: { kind: 'list', bucket: text('Bucket'), prefix: text('Prefix', true) }, maxItems };
  const format = c.InputType as 'JSON' | 'JSONL' | 'CSV';
  const csv =
    format === 'CSV'
      ? {
          delimiter: DELIMITERS[(c.CSVDelimiter as string | undefined) ?? 'COMMA'],
          ...(c.CSVHeaderLocation === 'GIVEN' ? { headers: c.CSVHeaders as string[] } : {}),
        }
      : undefined;
  return {
    source: { kind: 'object', bucket: text('Bucket'), key: text('Key'), format, ...(csv ? { csv } : {}) },
    maxItems,
  };
}

/** ReaderConfig.MaxItems: an integer from 0 (all) to 100,000,000; a bad one fails the reader. */
async function readerInteger(value: unknown, scope: Scope): Promise<number> {
  const n = await evalTyped(value, scope, 'ItemReader/ReaderConfig/MaxItems', 'number');
  if (Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_READER_ITEMS) return n as number;
  throw new StateError(
    ITEM_READER_FAILED,
    `The field MaxItems is ${n}; it must be an integer from 0 to ${MAX_READER_ITEMS}.`,
  );
}

/** The tolerated failure threshold of a Distributed Map, evaluated once the Map has started (as on AWS). */
export async function evalTolerance(
  state: AslState & MapFields,
  scope: Scope,
): Promise<{ count?: number; percentage?: number }> {
  const out: { count?: number; percentage?: number } = {};
  if (state.ToleratedFailureCount !== undefined) {
    const n = await evalTyped(state.ToleratedFailureCount, scope, 'ToleratedFailureCount', 'number');
    // AWS's words.
    if (!Number.isInteger(n)) throw invalid(`ToleratedFailureCount must be an integer, found ${n}.`);
    if ((n as number) < 0) throw invalid('ToleratedFailureCount cannot be negative.');
    out.count = n as number;
  }
  if (state.ToleratedFailurePercentage !== undefined) {
    const n = (await evalTyped(
      state.ToleratedFailurePercentage,
      scope,
      'ToleratedFailurePercentage',
      'number',
    )) as number;
    if (n < 0 || n > 100) throw invalid('ToleratedFailurePercentage must be between 0 and 100.');
    out.percentage = n;
  }
  return out;
}

/** An integer field from `min` to `max` (undefined when absent); States.Runtime naming it otherwise. */
async function integer(
  value: unknown,
  scope: Scope,
  field: string,
  min: number,
  max: number,
): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const n = await evalTyped(value, scope, field, 'number');
  if (Number.isInteger(n) && (n as number) >= min && (n as number) <= max) return n as number;
  const how = expressionOf(value) === undefined ? 'is' : 'evaluated to';
  throw invalid(`the field '${field}' ${how} ${n}; it must be an integer from ${min} to ${max}`);
}

/** Evaluate the ItemSelector for one item, in the Map state's scope with `$states.context.Map.Item`. */
export async function selectItem(selector: unknown, scope: Scope, index: number, value: unknown): Promise<unknown> {
  if (selector === undefined) return value;
  // The execution's context with Map added; its fields are copied as they are, so the ones worked out only when read stay so.
  const context = Object.defineProperties(
    { Map: { Item: { Index: index, Value: value } } },
    Object.getOwnPropertyDescriptors(scope.states.context as object),
  );
  return evalField(selector, { ...scope, states: { ...scope.states, context } }, 'ItemSelector');
}

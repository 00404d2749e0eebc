/**
 * asl-validator with its JSON Schemas compiled once per test file instead of once per document.
 * It builds a new Ajv and compiles all its schemas on every call (about half a second of CPU), and
 * the property and fuzz tests check hundreds of documents. Here every call shares the first call's
 * Ajv: the same schemas, formats and options (the defaults, the only ones this module passes), so
 * the same answers; test/asl-validator.test.ts compares them with a fresh asl-validator's.
 */
import { dirname } from 'node:path';

/** What asl-validator answers for one state machine definition. */
export interface AslValidation {
  isValid: boolean;
  errors: unknown[];
  errorsText?: () => string;
}

interface KeywordDefinition {
  keyword: string | string[];
}
interface Ajv {
  getKeyword(keyword: string): unknown;
  addKeyword(definition: KeywordDefinition | string): Ajv;
}
type AjvConstructor = new (options: unknown) => Ajv;

// asl-validator ships no types; it mutates its argument, so callers give it a fresh parse.
const stockValidator = require('asl-validator') as (definition: unknown) => AslValidation;
// The Ajv module asl-validator itself loads (jest keeps one instance of a module per test file).
const ajvModule = require(require.resolve('ajv', { paths: [dirname(require.resolve('asl-validator'))] })) as {
  default: AjvConstructor;
};

let shared: Ajv | undefined;

/** asl-validator's check of one definition, with its schemas compiled on the first call only. */
export function aslValidator(definition: unknown): AslValidation {
  const Stock = ajvModule.default;
  // `new` of a function that returns an object gives that object: every call gets the shared Ajv.
  ajvModule.default = function SharedAjv(options: unknown) {
    shared ??= onceKeywords(new Stock(options));
    return shared;
  } as unknown as AjvConstructor;
  try {
    return stockValidator(definition);
  } finally {
    ajvModule.default = Stock;
  }
}

/** asl-validator adds ajv-formats' keywords on each call; Ajv refuses a keyword it already has. */
function onceKeywords(ajv: Ajv): Ajv {
  const add = ajv.addKeyword.bind(ajv);
  ajv.addKeyword = (definition) => {
    const keyword = typeof definition === 'string' ? definition : [definition.keyword].flat()[0];
    return ajv.getKeyword(keyword) ? ajv : add(definition);
  };
  return ajv;
}

/** A fresh asl-validator, as it runs outside these tests: what the shared one is compared with. */
export function stockAslValidator(definition: unknown): AslValidation {
  return stockValidator(definition);
}

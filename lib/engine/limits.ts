/**
 * Step Functions' limits on what the API takes, as the API model and the quotas page state them
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 */
import { InvalidExecutionInput, InvalidName, InvalidOutput, ValidationException } from './errors';

/** The most a state's input or output, an execution input or a task output may weigh (UTF-8), as on AWS. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** A Standard execution runs at most a year; past it, it times out with States.Timeout. */
export const MAX_EXECUTION_MS = 365 * 86_400_000;
/** The longest execution name. */
export const MAX_NAME_LENGTH = 80;

/**
 * What a name must not contain: white space, `< > { } [ ] ? *`, `" # % \ ^ | ~ ` $ & , ; : /`,
 * control characters (U+0000-001F, U+007F-009F), U+FFFE-FFFF and lone surrogates.
 */
// With the u flag a surrogate pair is one code point, so the class matches lone surrogates only.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the rule forbids.
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff]/u;

/** The UTF-8 size of a text. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** StartExecution's checks on the name: its length (ValidationException) and characters (InvalidName). */
export function checkExecutionName(name: string): void {
  // AWS answers a length outside 1–80 from its request validation, before the name rules.
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw new ValidationException(
      `1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length ${name.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_NAME_LENGTH}`} (found ${name.length})`,
    );
  }
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidName(
      `Invalid Name: '${name}': U+${code} is not allowed; a name has no white space, < > { } [ ] ? * " # % \\ ^ | ~ \` $ & , ; : / or control characters`,
    );
  }
}

/** A payload field's size against the 256 KiB limit (ValidationException), then its JSON (InvalidExecutionInput/InvalidOutput). */
export function parsePayload(field: 'input' | 'output', text: string): unknown {
  const size = utf8Bytes(text);
  if (size > MAX_PAYLOAD_BYTES) {
    throw new ValidationException(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD_BYTES} (found ${size} bytes of UTF-8)`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const Invalid = field === 'input' ? InvalidExecutionInput : InvalidOutput;
    throw new Invalid(`Invalid ${field} JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** SendTaskFailure's limits: error ≤ 256 characters, cause ≤ 32,768. */
export function checkTaskFailure(error: string, cause: string): void {
  for (const [field, value, max] of [
    ['error', error, 256],
    ['cause', cause, 32_768],
  ] as const) {
    if (value.length > max) {
      throw new ValidationException(
        `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    }
  }
}

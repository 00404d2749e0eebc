/**
 * Secret header values on AWS, read through the AWS Parameters and Secrets Lambda Extension (a
 * layer the stack adds to the dispatch function when a destination names a secret): a local HTTP
 * endpoint that calls Secrets Manager GetSecretValue or SSM GetParameter (WithDecryption) with the
 * function's role. The package has no Secrets Manager or SSM SDK client, so this is the port's one
 * adapter; one over @aws-sdk/client-secrets-manager would implement the same SecretReader.
 *
 * Each reference is read once per container (secretCache): the value is kept for the life of the
 * process, so a rotated secret reaches a function as its containers are replaced (or at the next
 * deployment, which replaces them all).
 */
import { describeRef, type SecretRef } from '../channels/header-values';

/** Reads a secret's current value. */
export interface SecretReader {
  read(ref: SecretRef): Promise<string>;
}

/** A secret that could not be read; `cause` holds the extension's answer or the network error. */
export class SecretUnavailableError extends Error {
  override readonly name = 'Baton.SecretUnavailable';
}

export interface ExtensionOptions {
  /** The extension's port (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT). @default 2773 */
  port?: number;
  /** The function's AWS_SESSION_TOKEN: the extension answers only requests that carry it. */
  sessionToken: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A SecretReader over the Parameters and Secrets Lambda Extension's HTTP endpoint. */
export function extensionSecretReader(opts: ExtensionOptions): SecretReader {
  const base = `http://localhost:${opts.port ?? 2773}`;
  const fetchImpl = opts.fetch ?? fetch;
  return {
    async read(ref) {
      const url =
        'secret' in ref
          ? `${base}/secretsmanager/get?secretId=${encodeURIComponent(ref.secret)}`
          : `${base}/systemsmanager/parameters/get?name=${encodeURIComponent(ref.ssmSecureString)}&withDecryption=true`;
      let res: Response;
      try {
        res = await fetchImpl(url, {
          headers: { 'X-Aws-Parameters-Secrets-Token': opts.sessionToken },
          signal: AbortSignal.timeout(5_000),
        });
      } catch (err) {
        throw new SecretUnavailableError(`${describeRef(ref)}: the secrets extension is unreachable`, { cause: err });
      }
      // The answer's body may name the secret but never holds its value on an error; keep it as the cause.
      const text = await res.text();
      if (!res.ok) {
        throw new SecretUnavailableError(`${describeRef(ref)}: the secrets extension answered ${res.status}`, {
          cause: text.slice(0, 500),
        });
      }
      const value = secretValueIn(ref, text);
      if (value === undefined) {
        throw new SecretUnavailableError(`${describeRef(ref)}: the answer holds no string value (a binary secret?)`);
      }
      return value;
    },
  };
}

/** SecretString of a GetSecretValue answer, Parameter.Value of a GetParameter answer. */
function secretValueIn(ref: SecretRef, text: string): string | undefined {
  let body: { SecretString?: unknown; Parameter?: { Value?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return undefined;
  }
  const value = 'secret' in ref ? body.SecretString : body.Parameter?.Value;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Read each reference once for the life of the process. Reads in flight are shared, so a burst of
 * first invocations makes one request; a failed read is forgotten, so the next call tries again.
 */
export function secretCache(reader: SecretReader): (ref: SecretRef) => Promise<string> {
  const values = new Map<string, Promise<string>>();
  return (ref) => {
    const key = describeRef(ref);
    let value = values.get(key);
    if (!value) {
      value = reader.read(ref);
      values.set(key, value);
      value.catch(() => values.delete(key));
    }
    return value;
  };
}

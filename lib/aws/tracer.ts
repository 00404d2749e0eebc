/** X-Ray tracing of the functions and their AWS SDK calls (Powertools Tracer; off outside Lambda). */
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One tracer per process. */
export const tracer = new Tracer({ serviceName: 'baton' });

/** Trace an SDK v3 client's calls as subsegments. */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/**
 * Audience: the two ops of an audience run's state machine (SPEC §6): `list` writes the run's
 * member files to S3, `enter` enters one batch of members that the run's Distributed Map read back.
 */

import type { AudienceInput } from '../lib/audience/handler';
import { runAudienceOp } from '../lib/audience/handler';
import type { AudiencePorts } from '../lib/audience/ports';
import { awsAudiencePorts } from '../lib/aws/audience';
import { awsConfig } from '../lib/aws/config';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { countMetric } from '../lib/aws/metrics';
import { lambdaDeps } from '../lib/aws/runtime';
import { awsObjects } from '../lib/aws/s3-objects';
import { awsSfn } from '../lib/aws/sfn';

let ports: AudiencePorts | undefined;

/** Errors are thrown to the run's state machine, whose Retry matches on their names. */
export const handler = lambdaHandler(async (input: AudienceInput): Promise<unknown> => {
  const run = input.op === 'list' ? input : input.batch.BatchInput;
  powertoolsLogger.appendKeys({ op: input.op, journey: run.journey, version: run.version, runAt: run.runAt });
  ports ??= awsAudiencePorts(lambdaDeps('audience', { sfn: awsSfn }), awsConfig(), awsObjects({}));
  const out = await runAudienceOp(ports, input);
  // Entered and ignored members are counted from their timeline lines; listed ones here.
  if ('groups' in out) {
    countMetric(
      'MembersListed',
      { journey: run.journey },
      out.groups.reduce((n, g) => n + g.count, 0),
    );
  }
  return out;
});

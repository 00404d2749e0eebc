/** BatonApi alone (an inline function, no bundling): the stage's throttling, given and refused. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BatonApi, type BatonApiThrottle, DEFAULT_API_THROTTLE } from '../../lib/infra/baton-api';
import { InvalidPropsError } from '../../lib/infra/errors';

// CDK checks every synthesized template against CloudFormation's rules (a WebAssembly rule engine,
// several seconds of CPU on a process's first synth). baton-stack.test.ts asserts the whole stack's
// report is clean; these one-function stacks are here for the stage's throttling only.
process.env.CDK_VALIDATION = 'false';

function api(throttle?: BatonApiThrottle): Template {
  const stack = new Stack(new App(), 'Api');
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
  });
  new BatonApi(stack, 'HttpApi', { handler, throttle });
  return Template.fromStack(stack);
}

const stageThrottle = (t: Template) =>
  Object.values(t.findResources('AWS::ApiGateway::Stage'))[0].Properties.MethodSettings.map(
    (m: Record<string, unknown>) => ({
      path: `${m.ResourcePath} ${m.HttpMethod}`,
      rate: m.ThrottlingRateLimit,
      burst: m.ThrottlingBurstLimit,
    }),
  );

test('without settings every method of the stage takes 50 requests/s with bursts of 100', () => {
  expect(DEFAULT_API_THROTTLE).toEqual({ rateLimit: 50, burstLimit: 100 });
  expect(stageThrottle(api())).toEqual([{ path: '/* *', rate: 50, burst: 100 }]);
});

test('a given rate and burst replace the defaults, each on its own', () => {
  expect(stageThrottle(api({ rateLimit: 12.5, burstLimit: 40 }))).toEqual([{ path: '/* *', rate: 12.5, burst: 40 }]);
  expect(stageThrottle(api({ burstLimit: 300 }))).toEqual([{ path: '/* *', rate: 50, burst: 300 }]);
  // Logging settings stay on the same method setting.
  api({ rateLimit: 10 }).hasResourceProperties('AWS::ApiGateway::Stage', {
    MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', ThrottlingRateLimit: 10 })],
  });
});

test.each([
  [
    { rateLimit: 0 },
    'apiThrottle.rateLimit (context baton:apiThrottleRate) must be requests per second above 0 and at most 10000',
    'found 0',
  ],
  [{ rateLimit: 20_000 }, 'apiThrottle.rateLimit', 'found 20000'],
  [{ rateLimit: Number.NaN }, 'apiThrottle.rateLimit', 'found NaN'],
  [
    { burstLimit: 2.5 },
    'apiThrottle.burstLimit (context baton:apiThrottleBurst) must be a whole number of requests from 1 to 5000',
    'found 2.5',
  ],
  [{ burstLimit: 0 }, 'apiThrottle.burstLimit', 'found 0'],
  [{ burstLimit: 6000 }, 'apiThrottle.burstLimit', 'found 6000'],
])('%j is refused with the field, the value and what is allowed', (throttle, field, found) => {
  expect(() => api(throttle)).toThrow(InvalidPropsError);
  expect(() => api(throttle)).toThrow(field);
  expect(() => api(throttle)).toThrow(found);
});

/**
 * One journey as a STANDARD state machine (ARCHITECTURE.md decision 1): the document is exactly
 * `renderAsl(compileJourney(journey))`, what `baton compile` prints, deployed with
 * DefinitionBody.fromString and definitionSubstitutions for the task functions' ARNs. CDK grants
 * nothing for a document given as a string, so this construct grants its role exactly what the
 * document calls, and offers the grant the ingest function needs.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileJourney, HANDLER_PLACEHOLDERS, type HandlerName, renderAsl } from '../journey/compile';
import type { Journey } from '../journey/schema';
import { acknowledgeFinding, defaultPolicyOf } from './nag';

export interface JourneyStateMachineProps {
  journey: Journey;
  /** The function behind each task handler placeholder of compiled documents. */
  handlers: Record<HandlerName, lambda.IFunction>;
  /** Retention of the execution log. @default one month */
  logRetention?: logs.RetentionDays;
  /** Encrypts the execution log. @default CloudWatch Logs' own encryption */
  encryptionKey?: kms.IKey;
}

/** The alias every execution is started on; it always routes to the newest published version. */
export const LIVE_ALIAS = 'live';

const HANDLERS = Object.keys(HANDLER_PLACEHOLDERS) as HandlerName[];

/** The `${Name}` placeholders a rendered document contains. */
export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();
}

export class JourneyStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The version published by this deployment; older versions are retained for in-flight executions. */
  readonly version: sfn.CfnStateMachineVersion;
  /** The `live` alias, pointing at `version`: executions are started on it, never on the state machine. */
  readonly alias: sfn.CfnStateMachineAlias;
  /** The alias's ARN, `<stateMachineArn>:live`. */
  readonly liveArn: string;
  /** The deployed document, before substitution: byte for byte what `baton compile` prints. */
  readonly definition: string;
  /** The handlers this journey's document invokes (a journey without branches needs no evaluate). */
  readonly invokedHandlers: HandlerName[];

  constructor(scope: Construct, id: string, props: JourneyStateMachineProps) {
    super(scope, id);
    this.definition = renderAsl(compileJourney(props.journey));
    const used = new Set(placeholdersIn(this.definition));
    const unknown = [...used].filter((p) => !HANDLERS.some((h) => HANDLER_PLACEHOLDERS[h] === p));
    if (unknown.length) {
      throw new Error(
        `journey ${props.journey.id} compiles to placeholders ${unknown.join(', ')}, which no function fills`,
      );
    }
    this.invokedHandlers = HANDLERS.filter((h) => used.has(HANDLER_PLACEHOLDERS[h]));
    const fns = this.invokedHandlers.map((h) => props.handlers[h]);

    ({ stateMachine: this.stateMachine, version: this.version } = versionedStateMachine(this, {
      definition: this.definition,
      substitutions: Object.fromEntries(
        this.invokedHandlers.map((h) => [HANDLER_PLACEHOLDERS[h], props.handlers[h].functionArn]),
      ),
      description: `${props.journey.id} as deployed`,
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
    }));
    this.alias = new sfn.CfnStateMachineAlias(this, 'LiveAlias', {
      name: LIVE_ALIAS,
      description: 'The version new instances of this journey start on',
      routingConfiguration: [{ stateMachineVersionArn: this.version.attrArn, weight: 100 }],
    });
    this.liveArn = this.alias.attrArn;
    acknowledgeFinding(
      defaultPolicyOf(this.stateMachine.role),
      'AwsSolutions-IAM5[Resource::*]',
      `The ${props.journey.id} state machine's CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray ` +
        '(xray:PutTraceSegments) support no resource-level permissions: AWS documents Resource "*" for both',
    );
    if (fns.length) {
      // Unqualified ARNs only: the document invokes the functions' $LATEST.
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: fns.map((f) => f.functionArn) }),
      );
    }
  }

  /**
   * What ingest and the API do to instances: start them (on the live alias), stop them on goals,
   * exits and erasure, resume parked waits (SendTaskSuccess: nothing Baton runs reports a failure).
   */
  grantInstanceControl(grantee: lambda.IFunction): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['states:StartExecution'], resourceArns: [this.liveArn] });
    this.stateMachine.grantExecution(grantee, 'states:StopExecution');
    this.stateMachine.grant(grantee, 'states:SendTaskSuccess');
    if (!grantee.role) throw new Error(`${grantee.node.path} has no role to grant instance control to`);
    // cdk-nag names the finding after the resource as CloudFormation will resolve it.
    const sm = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${sm}"}]}]}`;
    acknowledgeFinding(
      defaultPolicyOf(grantee.role),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
      `StopExecution on ${this.node.id}: executions are named per journey instance at run time; this covers only executions of this journey`,
    );
  }
}

/**
 * A Standard state machine of a compiled document, as Baton deploys each: logging every event
 * without inputs and outputs (state carries ids, but error causes may quote more), X-Ray tracing,
 * and a new version whenever the document (or anything else of the revision) changes. The old
 * version is retained, not deleted, so executions started on it finish on the document they
 * started with.
 */
export function versionedStateMachine(
  scope: Construct,
  props: {
    definition: string;
    substitutions: Record<string, string>;
    description: string;
    logRetention?: logs.RetentionDays;
    encryptionKey?: kms.IKey;
  },
): { stateMachine: sfn.StateMachine; version: sfn.CfnStateMachineVersion } {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromString(props.definition),
    definitionSubstitutions: props.substitutions,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });
  const version = new sfn.CfnStateMachineVersion(scope, 'Version', {
    stateMachineArn: stateMachine.stateMachineArn,
    stateMachineRevisionId: stateMachine.stateMachineRevisionId,
    description: props.description,
  });
  version.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return { stateMachine, version };
}

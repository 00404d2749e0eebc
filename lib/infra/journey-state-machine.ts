/**
 * One journey as a STANDARD state machine (ARCHITECTURE.md decision 1): the document is exactly
 * `renderAsl(compileJourney(journey))`, what `baton compile` prints, deployed with
 * DefinitionBody.fromString and definitionSubstitutions for the task functions' ARNs. CDK grants
 * nothing for a document given as a string, so this construct grants its role exactly what the
 * document calls, and offers the grant the ingest function needs.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileJourney, HANDLER_PLACEHOLDERS, type HandlerName, renderAsl } from '../journey/compile';
import type { Journey } from '../journey/schema';

export interface JourneyStateMachineProps {
  journey: Journey;
  /** The function behind each task handler placeholder of compiled documents. */
  handlers: Record<HandlerName, lambda.IFunction>;
  /** Retention of the execution error log. @default one month */
  logRetention?: logs.RetentionDays;
}

const HANDLERS = Object.keys(HANDLER_PLACEHOLDERS) as HandlerName[];

/** The `${Name}` placeholders a rendered document contains. */
export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();
}

export class JourneyStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
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

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(this.definition),
      definitionSubstitutions: Object.fromEntries(
        this.invokedHandlers.map((h) => [HANDLER_PLACEHOLDERS[h], props.handlers[h].functionArn]),
      ),
      // Errors only, without inputs and outputs: state carries ids, but error causes may quote more.
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
    if (fns.length) {
      // Unqualified ARNs only: the document invokes the functions' $LATEST.
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: fns.map((f) => f.functionArn) }),
      );
    }
  }

  /** What ingest does to instances: start them, stop them on goals, resume parked waits. */
  grantInstanceControl(grantee: iam.IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
    this.stateMachine.grantExecution(grantee, 'states:StopExecution');
    this.stateMachine.grant(grantee, 'states:SendTaskSuccess', 'states:SendTaskFailure');
  }
}

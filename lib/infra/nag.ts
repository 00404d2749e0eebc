/**
 * cdk-nag acknowledgements, one finding on one CloudFormation resource each. An acknowledgement
 * on a construct covers everything beneath it, so one on a function or an API would also silence
 * the same rule on resources added there later; these go on the resource the finding is about.
 */
import { CfnResource, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * Acknowledge finding `id` (a rule id, with the finding in brackets for rules that report several,
 * e.g. `AwsSolutions-IAM5[Resource::*]`) on `resource`: a CfnResource, or an L2 construct whose
 * default child is one.
 */
export function acknowledgeFinding(resource: IConstruct, id: string, reason: string): void {
  const cfn = CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn)) {
    throw new Error(`${resource.node.path} is not a CloudFormation resource; acknowledge ${id} on the resource itself`);
  }
  Validations.of(cfn).acknowledge({ id, reason });
}

/** The policy a role's grants are added to (`DefaultPolicy`), where IAM5 findings are reported. */
export function defaultPolicyOf(role: iam.IRole): IConstruct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${role.node.path} has no DefaultPolicy yet: acknowledge after its grants`);
  return policy;
}

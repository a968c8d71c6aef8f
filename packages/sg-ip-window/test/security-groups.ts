import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  EC2Client,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { type AwsTestContext, fixtureClient } from '@berth/testkit';
import { beforeAll } from 'vitest';
import { describeRules } from '../src/ec2-rules.ts';

/** Security groups in a VPC of the test file's emulator account, made as tests need them. */
export interface SecurityGroupFixture {
  /** The client the fixture uses (set in `beforeAll`). */
  readonly ec2: EC2Client;
  /** A new, empty security group (named `<prefix>-<n>`). */
  newGroup(): Promise<string>;
  /** The group's ingress rules as EC2 lists them now. */
  ingress(groupId: string): Promise<SecurityGroupRule[]>;
}

/** Options of {@link useSecurityGroups}. */
export interface SecurityGroupFixtureOptions {
  /** Start of the group names, unique per test file. */
  prefix: string;
  /**
   * Builds the client (default: the test kit's retrying fixture client). Tests that hand the
   * client to the code under test pass a plain one, so an injected fault is seen once.
   */
  client?: (config: AwsTestContext['clientConfig']) => EC2Client;
}

/** Creates a VPC before the file's tests run, and security groups in it on demand. */
export function useSecurityGroups(
  aws: AwsTestContext,
  options: SecurityGroupFixtureOptions,
): SecurityGroupFixture {
  let ec2: EC2Client | undefined;
  let vpcId: string | undefined;
  let count = 0;
  const client = () => {
    if (!ec2) throw new Error('useSecurityGroups: used before its beforeAll ran');
    return ec2;
  };
  beforeAll(async () => {
    ec2 = options.client?.(aws.clientConfig) ?? fixtureClient(EC2Client, aws.clientConfig);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    vpcId = vpc.Vpc?.VpcId as string;
  });
  return {
    get ec2() {
      return client();
    },
    async newGroup() {
      count++;
      const out = await client().send(
        new CreateSecurityGroupCommand({
          GroupName: `${options.prefix}-${count}`,
          Description: 'ssh',
          VpcId: vpcId,
        }),
      );
      return out.GroupId as string;
    },
    async ingress(groupId) {
      const rules = await describeRules(client(), [{ Name: 'group-id', Values: [groupId] }]);
      return rules.filter((r) => r.IsEgress === false);
    },
  };
}

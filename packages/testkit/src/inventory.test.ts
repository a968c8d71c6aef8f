import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { listAccountResources } from './inventory.ts';
import { seedAccount } from './seed.ts';
import { useAws } from './use-aws.ts';

const aws = useAws();

describe('listAccountResources', () => {
  it('lists what the seed created and what is added afterwards', async () => {
    const seeded = await seedAccount(aws.clientConfig);
    const scope = {
      cluster: seeded.cluster,
      listenerArn: seeded.listenerArn,
      hostedZoneId: seeded.hostedZoneId,
      securityGroupIds: [seeded.securityGroupId],
    };
    const before = await listAccountResources(aws.clientConfig, scope);
    expect(before.targetGroups).toEqual([{ name: 'app-dev00', arn: seeded.targetGroupArn }]);
    expect(before.rules).toEqual([
      {
        arn: seeded.referenceRuleArn,
        priority: '1',
        hosts: ['dev00.preview.example.com'],
        targetGroupArns: [seeded.targetGroupArn],
      },
    ]);
    expect(before.services).toEqual([
      { name: 'app-dev00', taskDefinition: seeded.taskDefinitionArn },
    ]);
    expect(before.records).toEqual([]);
    expect(before.taskDefinitionFamilies).toEqual([{ family: 'app', activeRevisions: 1 }]);
    expect(before.ingressRules).toEqual([]);

    await new EC2Client(aws.clientConfig).send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: seeded.securityGroupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '203.0.113.10/32', Description: 'deploy' }],
          },
        ],
      }),
    );
    await new Route53Client(aws.clientConfig).send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: seeded.hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: `pr-1.${seeded.domain}`,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: seeded.loadBalancerDnsName }],
              },
            },
          ],
        },
      }),
    );
    const after = await listAccountResources(aws.clientConfig, scope);
    expect(after.records).toEqual([`pr-1.${seeded.domain}. CNAME`]);
    expect(after.ingressRules).toMatchObject([
      { groupId: seeded.securityGroupId, cidr: '203.0.113.10/32', fromPort: 22, toPort: 22 },
    ]);
  });
});

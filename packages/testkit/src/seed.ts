import { createHash } from 'node:crypto';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fixtureClient } from './fixture-clients.ts';

/** Client settings for the seed (endpoint of the emulator or of a proxy in front of it). */
export interface SeedClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Options of {@link seedAccount}. */
export interface SeedOptions {
  /** Image of the reference service's `web` container. */
  image?: string;
  /** Preview domain (default `preview.example.com`). */
  domain?: string;
  /** ECS cluster name (default `dev`). */
  cluster?: string;
  /** Name of the JSON secret (default `app/dev`). */
  secretName?: string;
}

/** Everything {@link seedAccount} created, by id. */
export interface SeededAccount {
  region: string;
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
  certificateArn: string;
  loadBalancerArn: string;
  loadBalancerDnsName: string;
  listenerArn: string;
  cluster: string;
  referenceService: string;
  referenceServiceArn: string;
  taskFamily: string;
  taskDefinitionArn: string;
  container: string;
  containerPort: number;
  targetGroupArn: string;
  referenceRuleArn: string;
  hostedZoneId: string;
  domain: string;
  secretName: string;
  secretArn: string;
  secretKeys: string[];
  image: string;
  /** Digest of `image` in its ECR repository (pushed by the seed), when it is an ECR image. */
  imageDigest?: string;
}

/** The JSON secret the seed stores (test values only). */
export const SEED_SECRET_VALUE = {
  DB_HOST: 'db.internal.example',
  DB_PASSWORD: 'seed-password-not-real',
  API_KEY: 'seed-api-key-not-real',
};

/**
 * Builds a realistic account: a VPC with two subnets and a security group, a shared ALB with
 * an HTTPS listener (ACM certificate) whose default rule answers 404, an ECS cluster with the
 * reference service `app-dev00` (Fargate, awsvpc, behind the listener through its own target
 * group and host-header rule), a Route 53 hosted zone for the preview domain, and a JSON secret.
 * When the image is an ECR image (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`),
 * its repository is created and the tag pushed ({@link pushEcrImage}), so checks that the image
 * still exists (ecs-rollback) find it. The VPC has DNS host names and the container a memory
 * setting, as moto's RunTask needs them (one-off tasks such as preview-env's hooks).
 */
export async function seedAccount(
  config: SeedClientConfig,
  options: SeedOptions = {},
): Promise<SeededAccount> {
  // Set-up clients: retried like the SDK retries AWS (a loaded emulator answers some calls
  // with an HTML 500), with bounded concurrency.
  const ec2 = fixtureClient(EC2Client, config);
  const acm = fixtureClient(ACMClient, config);
  const elb = fixtureClient(ElasticLoadBalancingV2Client, config);
  const ecs = fixtureClient(ECSClient, config);
  const r53 = fixtureClient(Route53Client, config);
  const sm = fixtureClient(SecretsManagerClient, config);
  const domain = options.domain ?? 'preview.example.com';
  const cluster = options.cluster ?? 'dev';
  const image =
    options.image ?? '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2026.1122.143000';
  const secretName = options.secretName ?? 'app/dev';
  const tags = [{ Key: 'team', Value: 'berth-demo' }];
  const ecsTags = [{ key: 'team', value: 'berth-demo' }];

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const [, subnetA, subnetB, sg, cert, zone, secret, imageDigest] = await Promise.all([
    ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } })),
    ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.0.1.0/24',
        AvailabilityZone: `${config.region}a`,
      }),
    ),
    ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.0.2.0/24',
        AvailabilityZone: `${config.region}b`,
      }),
    ),
    ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'app-shared',
        Description: 'shared ALB and app tasks',
        VpcId: vpcId,
      }),
    ),
    acm.send(new RequestCertificateCommand({ DomainName: `*.${domain}` })),
    r53.send(
      new CreateHostedZoneCommand({
        Name: domain,
        CallerReference: `seed-${Date.now()}-${Math.random()}`,
      }),
    ),
    sm.send(
      new CreateSecretCommand({
        Name: secretName,
        SecretString: JSON.stringify(SEED_SECRET_VALUE),
      }),
    ),
    pushEcrImage(config, image),
  ]);
  const subnetIds = [subnetA.Subnet?.SubnetId as string, subnetB.Subnet?.SubnetId as string];
  const securityGroupId = sg.GroupId as string;
  const certificateArn = cert.CertificateArn as string;

  const [lb, tg, taskDef] = await Promise.all([
    elb.send(
      new CreateLoadBalancerCommand({
        Name: 'shared-preview',
        Subnets: subnetIds,
        SecurityGroups: [securityGroupId],
        Scheme: 'internet-facing',
        Type: 'application',
        Tags: tags,
      }),
    ),
    elb.send(
      new CreateTargetGroupCommand({
        Name: 'app-dev00',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 15,
        HealthyThresholdCount: 2,
        Matcher: { HttpCode: '200-299' },
        Tags: tags,
      }),
    ),
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'app',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image,
            essential: true,
            // AWS needs no container-level memory beside the task's; moto's RunTask does.
            memory: 512,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
            environment: [{ name: 'APP_ENV', value: 'dev' }],
          },
        ],
        tags: ecsTags,
      }),
    ),
    ecs.send(new CreateClusterCommand({ clusterName: cluster })),
  ]);
  const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
  const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn as string;
  const taskDefinitionArn = taskDef.taskDefinition?.taskDefinitionArn as string;

  const listener = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: certificateArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: {
            StatusCode: '404',
            ContentType: 'text/plain',
            MessageBody: 'no such environment',
          },
        },
      ],
    }),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn as string;
  const rule = await elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [`dev00.${domain}`] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  const service = await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'app-dev00',
      taskDefinition: taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      enableExecuteCommand: true,
      propagateTags: 'SERVICE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: subnetIds,
          securityGroups: [securityGroupId],
          assignPublicIp: 'DISABLED',
        },
      },
      loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      tags: ecsTags,
    }),
  );
  for (const c of [ec2, acm, elb, ecs, r53, sm]) c.destroy();
  return {
    region: config.region,
    vpcId,
    subnetIds,
    securityGroupId,
    certificateArn,
    loadBalancerArn,
    loadBalancerDnsName: lb.LoadBalancers?.[0]?.DNSName as string,
    listenerArn,
    cluster,
    referenceService: 'app-dev00',
    referenceServiceArn: service.service?.serviceArn as string,
    taskFamily: 'app',
    taskDefinitionArn,
    container: 'web',
    containerPort: 8080,
    targetGroupArn,
    referenceRuleArn: rule.Rules?.[0]?.RuleArn as string,
    hostedZoneId: String(zone.HostedZone?.Id).replace('/hostedzone/', ''),
    domain,
    secretName,
    secretArn: secret.ARN as string,
    secretKeys: Object.keys(SEED_SECRET_VALUE),
    image,
    ...(imageDigest ? { imageDigest } : {}),
  };
}

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9][a-z0-9._/-]*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/**
 * "Pushes" an ECR image the way a build would leave it in the registry: creates its repository
 * (registry id from the URI; an existing one is reused) and puts a small manifest under its
 * tag, distinct per image. Returns the image's digest, or undefined (nothing done) for an
 * image that is not `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`.
 */
export async function pushEcrImage(
  config: SeedClientConfig,
  image: string,
): Promise<string | undefined> {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  const [, registryId, region, repositoryName, imageTag] = m as unknown as string[];
  const ecr = fixtureClient(ECRClient, { ...config, region: region as string });
  try {
    try {
      await ecr.send(new CreateRepositoryCommand({ registryId, repositoryName }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'RepositoryAlreadyExistsException') throw error;
    }
    const digest = `sha256:${createHash('sha256').update(image).digest('hex')}`;
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest },
      layers: [],
    });
    try {
      await ecr.send(
        new PutImageCommand({
          registryId,
          repositoryName,
          imageManifest: manifest,
          imageTag,
          imageDigest: digest,
        }),
      );
    } catch (error) {
      // A retried put (the first answer lost) meets the image it made.
      if ((error as { name?: string }).name !== 'ImageAlreadyExistsException') throw error;
    }
    return digest;
  } finally {
    ecr.destroy();
  }
}

// Seeds the AWS emulator the CI "dogfood" job runs (moto_server on AWS_ENDPOINT_URL) with the
// test kit's realistic account, writes a preview-env configuration for it, and hands the ids
// the action steps need to the workflow as step outputs. It also pushes the image tag the
// "ecs-rollback to a tag" step rolls to (`ci-dogfood`) to the seeded ECR repository, so
// ecs-rollback's check that the target's images still exist passes as it would on AWS.
// Run by Node 24 from the repository root: node .github/scripts/dogfood-aws.ts
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientConfigFromEnv } from '../../packages/testkit/src/aws-env.ts';
import { pushEcrImage, seedAccount } from '../../packages/testkit/src/seed.ts';

const clientConfig = clientConfigFromEnv(process.env);
if (!clientConfig) {
  console.error('AWS_ENDPOINT_URL is not set: point it at the moto_server to seed');
  process.exit(2);
}
const seeded = await seedAccount(clientConfig);
const rollbackImage = `${seeded.image.slice(0, seeded.image.lastIndexOf(':'))}:ci-dogfood`;
if (!(await pushEcrImage(clientConfig, rollbackImage))) {
  console.error(`the seeded image ${seeded.image} is not an ECR image: nothing to push`);
  process.exit(1);
}

const dir = join(process.env.RUNNER_TEMP ?? tmpdir(), 'berth-dogfood');
mkdirSync(dir, { recursive: true });
const config = join(dir, 'preview-env.yml');
writeFileSync(
  config,
  [
    `cluster: ${seeded.cluster}`,
    `referenceService: ${seeded.referenceService}`,
    `listenerArn: ${seeded.listenerArn}`,
    `domain: ${seeded.domain}`,
    `hostedZoneId: ${seeded.hostedZoneId}`,
    'namePrefix: ci',
    '',
  ].join('\n'),
);

const outputs: Record<string, string> = {
  config,
  cluster: seeded.cluster,
  service: seeded.referenceService,
  domain: seeded.domain,
  'secret-name': seeded.secretName,
  'security-group-id': seeded.securityGroupId,
  'rollback-image': rollbackImage,
};
const lines = Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`);
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines.join(''));
process.stdout.write(lines.join(''));

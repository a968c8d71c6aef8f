// Seeds the AWS emulator the CI "dogfood" job runs (moto_server on AWS_ENDPOINT_URL) with the
// test kit's realistic account, writes a preview-env configuration for it, and hands the ids
// the action steps need to the workflow as step outputs. Run by Node 24 from the repository
// root: node .github/scripts/dogfood-aws.ts
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientConfigFromEnv } from '../../packages/testkit/src/aws-env.ts';
import { seedAccount } from '../../packages/testkit/src/seed.ts';

const clientConfig = clientConfigFromEnv(process.env);
if (!clientConfig) {
  console.error('AWS_ENDPOINT_URL is not set: point it at the moto_server to seed');
  process.exit(2);
}
const seeded = await seedAccount(clientConfig);

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
};
const lines = Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`);
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines.join(''));
process.stdout.write(lines.join(''));

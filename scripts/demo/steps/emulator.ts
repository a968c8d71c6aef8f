// Step 1: the local AWS emulator and a realistic account, with the reference service's image
// tagged by semver-timestamp (as a build pipeline would tag it).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsEnvFor } from '../../../packages/testkit/src/aws-env.ts';
import { startMoto } from '../../../packages/testkit/src/moto.ts';
import { seedAccount } from '../../../packages/testkit/src/seed.ts';
import type { DemoContext, Step } from '../context.ts';

const DAY_MS = 86_400_000;

export const emulatorStep: Step = {
  title: 'Start the AWS emulator and seed an account',
  tools: ['semver-timestamp'],
  async run(ctx) {
    const { out } = ctx;
    const moto = await startMoto();
    ctx.moto = moto;
    ctx.onCleanup(() => moto.stop());
    Object.assign(ctx.env, awsEnvFor(moto.endpoint));
    ctx.aws.endpoint = moto.endpoint;
    out.ok(`moto_server listening on ${moto.endpoint} (AWS_ENDPOINT_URL for every CLI below)`);

    out.note('The reference service runs yesterday’s build; its tag comes from semver-timestamp:');
    const yesterday = new Date(Math.floor((Date.now() - DAY_MS) / 1000) * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    const tag = await ctx.cli.run('semver-timestamp', ['--date', yesterday, '--format', 'docker']);
    ctx.state.referenceTag = tag.stdout.trim();
    const image = `${ctx.state.repository}:${ctx.state.referenceTag}`;

    const seededAccount = await seedAccount(ctx.aws, { image });
    ctx.seeded = seededAccount;
    const s = seededAccount;
    out.ok('seeded the account:');
    out.fact('  VPC', `${s.vpcId} with subnets ${s.subnetIds.join(', ')}`);
    out.fact('  shared ALB', `${s.loadBalancerDnsName} (HTTPS listener on 443, default 404)`);
    out.fact('  ECS cluster', s.cluster);
    out.fact('  reference service', `${s.referenceService} running ${image}`);
    out.fact('  ECR repository', `app, holding that tag (${s.imageDigest?.slice(0, 19) ?? '?'}…)`);
    out.fact('  reference rule', `dev00.${s.domain} -> target group app-dev00`);
    out.fact('  hosted zone', `${s.domain} (${s.hostedZoneId})`);
    out.fact('  JSON secret', `${s.secretName} with keys ${s.secretKeys.join(', ')}`);
    out.fact('  security group', `${s.securityGroupId} (no ingress rules)`);
    await writeConfig(ctx);
  },
};

/** Writes the preview-env configuration a team would commit, pointing at the seeded account. */
async function writeConfig(ctx: DemoContext): Promise<void> {
  const s = ctx.seeded;
  if (!s) return;
  const config = [
    `cluster: ${s.cluster}`,
    `referenceService: ${s.referenceService}`,
    `listenerArn: ${s.listenerArn}`,
    `domain: ${s.domain}`,
    `hostedZoneId: ${s.hostedZoneId}`,
    'namePrefix: app',
    `container: ${s.container}`,
    'ttl: 3d',
    'env:',
    '  APP_ENV: preview',
    '',
  ].join('\n');
  await writeFile(join(ctx.workDir, 'preview-env.yml'), config);
  ctx.out.ok('wrote preview-env.yml (the file a team commits next to its workflow):');
  ctx.out.block(config, true);
}

// The command the demo runs inside `sg-ip-window exec`: prints the security group's ingress
// rules as the emulator holds them at that moment (in real life this would be `ssh deploy@...`).
// Usage: node scripts/demo/show-ingress.ts <sg-id>
import { listIngressRules } from '../../packages/testkit/src/inventory.ts';
import { demoClientConfig } from './aws-env.ts';

const groupId = process.argv[2];
if (!groupId) {
  process.stderr.write('usage: node scripts/demo/show-ingress.ts <sg-id>\n');
  process.exit(2);
}
const rules = await listIngressRules(demoClientConfig(process.env), [groupId]);
process.stdout.write(`inside the window, ${groupId} allows:\n`);
for (const r of rules) {
  const ports = r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`;
  const tags = Object.entries(r.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`  ${r.id}  ${r.protocol}/${ports} from ${r.cidr}  ${tags}\n`);
}
if (rules.length === 0) process.stdout.write('  (no ingress rules)\n');

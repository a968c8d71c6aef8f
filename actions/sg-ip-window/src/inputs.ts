import { getInput, getMultilineInput } from '@berth/internal/github-actions';
import { type IpSource, parseIpSource } from '@berth/sg-ip-window';

/** The action's inputs, read from `INPUT_*` (validation is the library's job). */
export interface ActionInputs {
  groupIds: string[];
  ports: string[];
  protocol: string;
  ip: string;
  ttl: string;
  run: string;
  owner: string;
  ipFamily: string;
  ipSources: IpSource[];
}

function split(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Reads every input; `group-ids` and `port` are required. */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  return {
    groupIds: split(getInput('group-ids', { required: true, env })),
    ports: split(getInput('port', { required: true, env })),
    protocol: getInput('protocol', { env }) || 'tcp',
    ip: getInput('ip', { env }) || 'auto',
    ttl: getInput('ttl', { env }) || '1h',
    // A script keeps its own whitespace and lines.
    run: env.INPUT_RUN ?? '',
    owner: getInput('owner', { env }),
    ipFamily: getInput('ip-family', { env }),
    ipSources: getMultilineInput('ip-sources', env).flatMap(split).map(parseIpSource),
  };
}

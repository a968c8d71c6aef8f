export type { CloseResult, CloseRulesOptions, RuleRef } from './close-rules.ts';
export { closeRules } from './close-rules.ts';
export type { DetectedIp, DetectPublicIpOptions, IpSourceFailure } from './detect-public-ip.ts';
export { detectPublicIp } from './detect-public-ip.ts';
export type { SgIpWindowClients } from './ec2-rules.ts';
export type { SgIpWindowErrorCode } from './errors.ts';
export { SgIpWindowError } from './errors.ts';
export type { IpFamily } from './ip-address.ts';
export { isPublicUnicastIp } from './ip-address.ts';
export type { DnsIpSourceOptions, IpSource } from './ip-sources.ts';
export { defaultIpSources, dnsIpSource, httpIpSource, parseIpSource } from './ip-sources.ts';
export type {
  OpenWindowOptions,
  Window,
  WindowRule,
  WindowRuleMode,
} from './open-window.ts';
export { openWindow } from './open-window.ts';
export type { PortInput, PortRange, WindowProtocol } from './ports.ts';
export type { SweepOptions, SweepResult, SweptRule } from './sweep.ts';
export { sweep } from './sweep.ts';
export {
  defaultOwner,
  distinctOwner,
  EXPIRES_TAG,
  HOLD_TAG_PREFIX,
  OWNER_TAG,
} from './tags.ts';
export { withWindow } from './with-window.ts';

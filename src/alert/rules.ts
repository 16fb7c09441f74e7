// Alert rules: what a [[alert.rules]] table says, the default rule used when none is
// configured, and which targets and verdicts a rule covers. Pure: no I/O, no clock.
import type { Persistence } from '../config/schema.ts';
import { parseAddress } from '../model/address.ts';
import type { TargetVerdict } from '../model/cause.ts';
import { type Prefix, parsePrefix, prefixContains } from '../model/prefix.ts';
import type { VerdictConfidence, VerdictFinding, VerdictKind } from '../model/verdict.ts';

export type ChannelName = 'email' | 'webhook';

export interface AlertRule {
  readonly name: string;
  /** Verdict kinds that alert. */
  readonly verdicts: readonly VerdictKind[];
  /** Findings that alert whatever the verdict kind. */
  readonly findings: readonly VerdictFinding[];
  /** Target ids or names, '*' and '?' as wildcards; undefined: every target. */
  readonly targets?: readonly string[];
  /** Only targets inside these; undefined: anywhere. */
  readonly prefixes?: readonly Prefix[];
  readonly channels: readonly ChannelName[];
  readonly persistence: Persistence;
  readonly cooldownMs: number;
  /** Send a notice when a target this rule alerted about gets a 'better' verdict. */
  readonly recovery: boolean;
  readonly minConfidence: VerdictConfidence;
}

/**
 * With no [[alert.rules]]: tell people when a path got worse or a destination became
 * unreachable, for every target, through every configured channel, at once (1/1), at
 * most once per 30 minutes per target, and when it recovers. 'same' (prepends, ECMP)
 * and 'better' alone never alert; nor do findings alone (a control/data-plane mismatch
 * is shown in the console, not paged).
 */
export function defaultRule(channels: readonly ChannelName[]): AlertRule {
  return {
    name: 'default',
    verdicts: ['worse', 'unreachable'],
    findings: [],
    channels,
    persistence: { n: 1, m: 1 },
    cooldownMs: 30 * 60_000,
    recovery: true,
    minConfidence: 'low',
  };
}

/** The config's rule tables (already validated) as rules; the default rule when there are none. */
export function rulesFromConfig(
  tables: readonly {
    name: string;
    verdicts: readonly VerdictKind[];
    findings: readonly VerdictFinding[];
    targets?: readonly string[];
    prefixes?: readonly Prefix[];
    channels?: readonly ChannelName[];
    persistence: Persistence;
    cooldown: number;
    recovery: boolean;
    min_confidence: VerdictConfidence;
  }[],
  configured: readonly ChannelName[],
): AlertRule[] {
  if (tables.length === 0) return [defaultRule(configured)];
  return tables.map((t) => ({
    name: t.name,
    verdicts: t.verdicts,
    findings: t.findings,
    ...(t.targets ? { targets: t.targets } : {}),
    ...(t.prefixes ? { prefixes: t.prefixes } : {}),
    channels: t.channels ?? configured,
    persistence: t.persistence,
    cooldownMs: t.cooldown,
    recovery: t.recovery,
    minConfidence: t.min_confidence,
  }));
}

const CONFIDENCE_RANK: Record<VerdictConfidence, number> = { low: 0, medium: 1, high: 2 };

/** How bad a verdict kind is, for "the worst kind in an alert" and escalation past a cooldown. */
export const SEVERITY: Record<VerdictKind, number> = { better: 0, same: 1, worse: 2, unreachable: 3 };

export function worstKind(kinds: readonly VerdictKind[]): VerdictKind {
  return kinds.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), kinds[0] ?? 'same');
}

/** "web-*" -> /^web-.*$/ ; everything but * and ? literal. */
export function globMatch(glob: string, s: string): boolean {
  if (!/[*?]/.test(glob)) return glob === s;
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(s);
}

/** Whether `p` covers the target: its address, or its whole covering prefix. */
export function prefixCoversTarget(p: Prefix, tv: Pick<TargetVerdict, 'address' | 'prefix'>): boolean {
  const a = parseAddress(tv.address);
  if (a && prefixContains(p, a)) return true;
  const tp = tv.prefix === undefined ? undefined : parsePrefix(tv.prefix);
  return tp !== undefined && tp.family === p.family && p.len <= tp.len && prefixContains(p, { family: tp.family, bytes: tp.bytes });
}

/** The rule looks at this target at all (its targets and prefixes filters). */
export function inScope(rule: AlertRule, tv: TargetVerdict): boolean {
  if (rule.targets && !rule.targets.some((g) => globMatch(g, tv.targetId) || globMatch(g, tv.targetName))) return false;
  if (rule.prefixes && !rule.prefixes.some((p) => prefixCoversTarget(p, tv))) return false;
  return true;
}

/** The verdict is one the rule alerts on: its kind or one of its findings, sure enough. */
export function isHit(rule: AlertRule, tv: TargetVerdict): boolean {
  const v = tv.verdict;
  if (CONFIDENCE_RANK[v.confidence] < CONFIDENCE_RANK[rule.minConfidence]) return false;
  return rule.verdicts.includes(v.kind) || v.findings.some((f) => rule.findings.includes(f));
}

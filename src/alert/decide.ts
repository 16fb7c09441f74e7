// The decision: given one Cause, the rules, what each rule remembers about each target,
// the active silences and the time, which alerts to raise. Pure: no I/O, no clock.
//
// For each rule, each target of the cause in the rule's scope:
// - its verdict joins the rule+target's recent verdicts (a cause counts once: a cause
//   emitted again replaces its own entry);
// - 'better' while this rule has an alert firing for the target: a recovery notice (if
//   the rule has recovery on) and the target is no longer firing; a recovery notice that
//   went out also ends the cooldown (people were told "fixed": a new breakage is news;
//   against a flapping path, use persistence);
// - a hit (a kind or finding the rule alerts on, sure enough) with N of the last M
//   verdicts hits: the target goes into this rule's ONE alert for this cause, unless a
//   silence covers it, it was already in an alert of this cause and rule, or the rule
//   alerted about it less than `cooldown` ago (an escalation, e.g. worse -> unreachable,
//   passes the cooldown: the news is new);
// - anything else changes nothing but the history.
// 'same' and 'better' alert only when a rule lists them.
import type { Cause, TargetVerdict } from '../model/cause.ts';
import { parseAddress } from '../model/address.ts';
import { type Prefix } from '../model/prefix.ts';
import type { VerdictKind } from '../model/verdict.ts';
import { type AlertRule, SEVERITY, inScope, isHit, prefixCoversTarget } from './rules.ts';

/** Verdicts kept per rule and target: enough for any persistence M. */
export const RECENT_MAX = 100;

export interface RuleTargetState {
  /** Oldest first. */
  readonly recent: readonly { readonly causeId: string; readonly hit: boolean }[];
  readonly lastFiredAt?: number;
  /** Set while an alert of this rule about this target is firing (no recovery yet). */
  readonly firing?: { readonly alertId?: number; readonly since: number; readonly verdict: VerdictKind };
}

export interface SilenceView {
  readonly id: number;
  readonly prefix?: Prefix;
  /** A target id, name or address. */
  readonly target?: string;
  readonly start: number;
  readonly end: number;
}

export interface DecideInput {
  readonly cause: Cause;
  readonly rules: readonly AlertRule[];
  readonly state: (rule: string, targetId: string) => RuleTargetState | undefined;
  readonly silences: readonly SilenceView[];
  /** `${rule}|${kind}|${targetId}` already in an alert of this cause (a cause emitted again). */
  readonly already: ReadonlySet<string>;
  readonly now: number;
}

export interface DraftEntry {
  readonly tv: TargetVerdict;
  /** For a recovery: what was firing. */
  readonly firing?: RuleTargetState['firing'];
}

export interface DraftAlert {
  readonly rule: AlertRule;
  readonly kind: 'alert' | 'recovery';
  readonly cause: Cause;
  readonly entries: readonly DraftEntry[];
}

export type SuppressReason = 'silence' | 'cooldown' | 'persistence' | 'already-sent';

export interface Decision {
  readonly alerts: DraftAlert[];
  /** New state per rule and target; `firedBy` names the draft (index in alerts) that set `firing`. */
  readonly states: { rule: string; targetId: string; state: RuleTargetState; firedBy?: number }[];
  /** Hits that were held back, and why (for logs and counters). */
  readonly suppressed: { rule: string; targetId: string; why: SuppressReason; silence?: number }[];
}

export function alreadyKey(rule: string, kind: 'alert' | 'recovery', targetId: string): string {
  return `${rule}|${kind}|${targetId}`;
}

export function silenceCovering(silences: readonly SilenceView[], tv: TargetVerdict, now: number): SilenceView | undefined {
  const addr = parseAddress(tv.address);
  return silences.find((s) => {
    if (now < s.start || now >= s.end) return false;
    if (s.target !== undefined && (s.target === tv.targetId || s.target === tv.targetName || s.target === tv.address)) return true;
    return s.prefix !== undefined && addr !== undefined && prefixCoversTarget(s.prefix, tv);
  });
}

export function decide(input: DecideInput): Decision {
  const { cause, now } = input;
  const out: Decision = { alerts: [], states: [], suppressed: [] };
  // A target listed twice in one cause counts once: its last verdict.
  const byTarget = new Map<string, TargetVerdict>();
  for (const tv of cause.verdicts) byTarget.set(tv.targetId, tv);

  for (const rule of input.rules) {
    const alerting: DraftEntry[] = [];
    const recovering: DraftEntry[] = [];
    const fired: { targetId: string; state: RuleTargetState }[] = [];
    for (const tv of byTarget.values()) {
      if (!inScope(rule, tv)) continue;
      const prior: RuleTargetState = input.state(rule.name, tv.targetId) ?? { recent: [] };
      const hit = isHit(rule, tv);
      const recent = [...prior.recent];
      if (recent.length > 0 && recent[recent.length - 1].causeId === cause.id) recent.pop();
      recent.push({ causeId: cause.id, hit });
      const next: { -readonly [K in keyof RuleTargetState]: RuleTargetState[K] } = { ...prior, recent: recent.slice(-RECENT_MAX) };
      const silence = silenceCovering(input.silences, tv, now);
      const kind = tv.verdict.kind;

      if (kind === 'better' && prior.firing) {
        delete next.firing;
        if (rule.recovery && !input.already.has(alreadyKey(rule.name, 'recovery', tv.targetId))) {
          if (silence) out.suppressed.push({ rule: rule.name, targetId: tv.targetId, why: 'silence', silence: silence.id });
          else {
            recovering.push({ tv, firing: prior.firing });
            // People were told it is fixed: if it breaks again, that is news, cooldown or not.
            delete next.lastFiredAt;
          }
        }
        out.states.push({ rule: rule.name, targetId: tv.targetId, state: next });
        continue;
      }

      if (hit) {
        const window = next.recent.slice(-rule.persistence.m);
        const hits = window.filter((r) => r.hit).length;
        const escalation = prior.firing !== undefined && SEVERITY[kind] > SEVERITY[prior.firing.verdict];
        let why: SuppressReason | undefined;
        if (hits < rule.persistence.n) why = 'persistence';
        else if (input.already.has(alreadyKey(rule.name, 'alert', tv.targetId))) why = 'already-sent';
        else if (silence) why = 'silence';
        else if (prior.lastFiredAt !== undefined && now - prior.lastFiredAt < rule.cooldownMs && !escalation) why = 'cooldown';
        if (why) {
          out.suppressed.push({ rule: rule.name, targetId: tv.targetId, why, ...(why === 'silence' ? { silence: silence!.id } : {}) });
        } else {
          alerting.push({ tv });
          next.lastFiredAt = now;
          next.firing = { since: prior.firing?.since ?? now, verdict: kind };
          fired.push({ targetId: tv.targetId, state: next });
          continue;
        }
      }
      out.states.push({ rule: rule.name, targetId: tv.targetId, state: next });
    }
    if (alerting.length > 0) {
      const index = out.alerts.push({ rule, kind: 'alert', cause, entries: alerting }) - 1;
      for (const f of fired) out.states.push({ rule: rule.name, targetId: f.targetId, state: f.state, firedBy: index });
    }
    if (recovering.length > 0) out.alerts.push({ rule, kind: 'recovery', cause, entries: recovering });
  }
  return out;
}

// The values the auto-target code passes around. A Suggestion is one prefix worth a
// target, with the reason an operator reads; an AutoTarget is one that was made.

export type AutoSource = 'churn' | 'asn' | 'traffic' | 'static';
export const AUTO_SOURCES: readonly AutoSource[] = ['churn', 'asn', 'traffic', 'static'];

/** One prefix a source ranks, before the sources are merged. */
export interface Candidate {
  /** Canonical prefix text. */
  readonly prefix: string;
  readonly source: AutoSource;
  /** The source's own measure: updates (churn), peers carrying it (asn), bytes or packets (traffic), 0 (static). */
  readonly score: number;
  /** 1-based rank within its source. */
  readonly rank: number;
  readonly reason: string;
  /** Origin ASes of the prefix (for the per-origin cap); empty when unknown. */
  readonly origins: readonly number[];
}

/** A merged, capped candidate: what `targets suggest` and the API show. */
export interface Suggestion {
  readonly prefix: string;
  /** The first source that ranked it (the one its position comes from). */
  readonly source: AutoSource;
  readonly score: number;
  /** Every source's reason, the deciding one first, joined by "; ". */
  readonly reason: string;
  readonly origins: readonly number[];
  /** Filled when one is known (hitlist, or a cached probe); otherwise chosen by probing. */
  readonly address?: string;
}

export type AutoState = 'added' | 'confirmed' | 'expired';

/** A made auto target, as stored (schema/006_auto_targets.sql). */
export interface AutoTarget {
  /** The scheduler's target id ("auto-198.51.100.0/24"). */
  readonly id: string;
  readonly prefix: string;
  readonly address: string;
  readonly source: AutoSource;
  readonly reason: string;
  readonly score: number;
  readonly state: AutoState;
  readonly pinned: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Last refresh that ranked it (pinned ones: when pinned). */
  readonly lastRankedAt: number;
  /** Since when the prefix has had no route; undefined while it has one. */
  readonly withdrawnSince?: number;
  readonly expiredAt?: number;
  /** Why it expired. */
  readonly expiredWhy?: string;
}

/** What a probe of a prefix's candidate addresses found (cached in the store). */
export interface PrefixCheck {
  readonly prefix: string;
  /** The address that answered; undefined when none did. */
  readonly address?: string;
  readonly responsive: boolean;
  readonly checkedAt: number;
  /** Addresses tried. */
  readonly tried: readonly string[];
}

export function autoTargetId(prefix: string): string {
  return `auto-${prefix}`;
}

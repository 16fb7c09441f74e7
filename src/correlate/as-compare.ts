// Control plane vs data plane: does the traceroute's AS sequence follow the BGP AS path
// of the route in use? Pure.
//
// Rules:
// - The trace is collapsed: hops with no AS (silent '*', private space, unannounced
//   space, an IXP peering LAN) are skipped and said in words; consecutive hops in the
//   same AS are one element; an ECMP hop is a set.
// - The BGP path is collapsed: prepends (the same AS repeated) are one element; an
//   AS_SET stays a set, and any of its members (one or several, in any order) matches it.
// - Our own AS (localAsns) at the start of the trace is expected, not a mismatch; at the
//   start of the BGP path (an Adj-RIB-Out path) it is dropped as well.
// - An element matches when the sets share an AS.
// - A BGP AS missing from the trace where skipped hops stand in its place is explained,
//   not a mismatch: its routers answered from private or IXP space or not at all.
// - The trace may stop before the origin when the destination does not answer: not a
//   mismatch by itself. When it answered, the trace must reach the BGP origin.
import type { AsPath } from '../model/route-event.ts';

/** One hop's AS as the trace knows it: a number (or an ECMP set), or why there is none. null: looked up, unannounced. */
export type TraceAsHop = number | readonly number[] | null | 'silent' | 'private' | 'unannounced' | { readonly ixp: string };

export interface AsCompareInput {
  /** The trace's AS per hop in TTL order (or an already collapsed sequence). */
  readonly trace: readonly TraceAsHop[];
  /** The BGP AS path of the route in use. */
  readonly bgp: AsPath;
  /** Our own AS number(s): where the trace starts. */
  readonly localAsns?: readonly number[];
  /** Whether the destination answered; undefined when not known. */
  readonly reached?: boolean;
}

export interface AsComparison {
  readonly match: boolean;
  /** Plain sentences: what was skipped, what was expected, and where they differ. */
  readonly explanation: string[];
}

interface Element {
  asns: number[];
  /** Hops with no AS lie between this element and the one before it. */
  gapBefore: boolean;
}

/** "65002", or "{65002 4200000003}" for a set. */
export function formatAsSet(s: readonly number[]): string {
  return s.length === 1 ? String(s[0]) : `{${s.join(' ')}}`;
}

function uniqSorted(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function overlaps(a: readonly number[], b: readonly number[]): boolean {
  return a.some((x) => b.includes(x));
}

function subset(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x) => b.includes(x));
}

/** The BGP path with prepends collapsed; each element a set (one member for AS_SEQUENCE ASes). Empty AS_SETs are dropped. */
export function collapseBgpPath(path: AsPath): number[][] {
  const out: number[][] = [];
  for (const x of path) {
    const s = typeof x === 'number' ? [x] : uniqSorted(x);
    if (s.length === 0) continue;
    const prev = out[out.length - 1];
    if (prev && prev.length === s.length && subset(s, prev)) continue;
    out.push(s);
  }
  return out;
}

// formatBgpPath lives in model/bgp-path.ts (alerting needs it too); kept importable from here.
export { formatBgpPath } from '../model/bgp-path.ts';

function collapseTrace(hops: readonly TraceAsHop[]): { elements: Element[]; trailingGap: boolean; notes: string[] } {
  const elements: Element[] = [];
  const skipped = { silent: 0, private: 0, unannounced: 0 };
  const ixps = new Map<string, number>();
  let gap = false;
  for (const h of hops) {
    let asns: number[] | undefined;
    if (typeof h === 'number') asns = [h];
    else if (Array.isArray(h)) asns = h.length > 0 ? uniqSorted(h as readonly number[]) : undefined;
    else if (h === null || h === 'unannounced') skipped.unannounced++;
    else if (h === 'silent') skipped.silent++;
    else if (h === 'private') skipped.private++;
    else if (typeof h === 'object' && 'ixp' in h) ixps.set(h.ixp, (ixps.get(h.ixp) ?? 0) + 1);
    if (!asns) {
      if (Array.isArray(h)) skipped.unannounced++;
      gap = true;
      continue;
    }
    const prev = elements[elements.length - 1];
    if (prev && subset(asns, prev.asns)) {
      gap = false;
      continue;
    }
    elements.push({ asns, gapBefore: gap && elements.length > 0 });
    gap = false;
  }
  const notes: string[] = [];
  const n = (k: number, what: string) => `${k} hop${k === 1 ? '' : 's'} ${what}`;
  if (skipped.silent) notes.push(`${n(skipped.silent, skipped.silent === 1 ? 'did not answer' : 'did not answer')} (*), skipped`);
  if (skipped.private) notes.push(`${n(skipped.private, 'answered from private address space')} (no AS), skipped`);
  if (skipped.unannounced) notes.push(`${n(skipped.unannounced, 'answered from space no route covers')} (no AS), skipped`);
  for (const [name, k] of ixps) notes.push(`${n(k, `sat on the IXP peering LAN ${name}`)}: the next network's router, not the IXP's AS, skipped`);
  return { elements, trailingGap: gap, notes };
}

export function compareAsPaths(input: AsCompareInput): AsComparison {
  const local = input.localAsns ?? [];
  const { elements, trailingGap, notes } = collapseTrace(input.trace);
  const explanation = [...notes];
  const bgp = collapseBgpPath(input.bgp);

  while (elements.length > 0 && local.length > 0 && subset(elements[0].asns, local)) {
    explanation.push(`the trace starts in our own AS ${formatAsSet(elements[0].asns)} (expected)`);
    elements.shift();
    if (elements[0]) elements[0].gapBefore = false;
  }
  while (bgp.length > 0 && local.length > 0 && subset(bgp[0], local)) bgp.shift();

  const bgpText = bgp.map(formatAsSet).join(' ') || '(empty)';
  const traceText = elements.map((e) => formatAsSet(e.asns)).join(' ') || '(none)';
  if (elements.length === 0) {
    explanation.push('the trace showed no AS beyond our own: nothing to compare');
    return { match: true, explanation };
  }
  if (bgp.length === 0) {
    explanation.push(`BGP says the prefix is ours (empty AS path) but the trace goes through AS ${traceText}`);
    return { match: false, explanation };
  }

  let i = 0;
  let j = 0;
  while (i < elements.length) {
    const t = elements[i];
    if (j < bgp.length && overlaps(t.asns, bgp[j])) {
      const set = bgp[j];
      i++;
      // An AS_SET (or an ECMP element) may show up as several consecutive trace elements.
      if (set.length > 1) while (i < elements.length && subset(elements[i].asns, set)) i++;
      j++;
      continue;
    }
    let k = -1;
    for (let x = j + 1; x < bgp.length; x++) {
      if (overlaps(t.asns, bgp[x])) {
        k = x;
        break;
      }
    }
    const prevText = i > 0 ? formatAsSet(elements[i - 1].asns) : 'our network';
    if (k !== -1 && (t.gapBefore || (i === 0 && j === 0))) {
      const missing = bgp.slice(j, k).map(formatAsSet).join(' ');
      const why = t.gapBefore ? 'its hops gave no AS (silent, private or IXP)' : 'the first hops answered from the next AS';
      explanation.push(`AS ${missing} on the BGP path was not seen in the trace: ${why}; not a mismatch`);
      j = k;
      continue;
    }
    if (k !== -1) {
      explanation.push(`the trace goes from ${prevText} straight to AS ${formatAsSet(t.asns)}, but BGP says ${bgp.slice(j, k).map(formatAsSet).join(' ')} lies between (trace ${traceText}, BGP ${bgpText})`);
    } else if (j < bgp.length) {
      explanation.push(`after ${prevText} the trace goes to AS ${formatAsSet(t.asns)}, but BGP says AS ${formatAsSet(bgp[j])} (trace ${traceText}, BGP ${bgpText})`);
    } else {
      explanation.push(`the trace goes on past the BGP origin AS ${formatAsSet(bgp[bgp.length - 1])} to AS ${formatAsSet(t.asns)} (trace ${traceText}, BGP ${bgpText})`);
    }
    return { match: false, explanation };
  }

  if (j < bgp.length) {
    const last = formatAsSet(elements[elements.length - 1].asns);
    const origin = formatAsSet(bgp[bgp.length - 1]);
    const rest = bgp.slice(j).map(formatAsSet).join(' ');
    if (input.reached === true && !trailingGap) {
      explanation.push(`the destination answered from AS ${last}, but BGP says the path goes on through AS ${rest} to the origin ${origin} (trace ${traceText}, BGP ${bgpText})`);
      return { match: false, explanation };
    }
    const why = input.reached === false ? 'the destination did not answer' : trailingGap ? 'the last hops gave no AS' : 'the trace ended there';
    explanation.push(`the trace stopped in AS ${last} before the origin AS ${origin} (${why}); not a mismatch by itself`);
  }
  explanation.push(`the trace follows the BGP path ${bgpText}`);
  return { match: true, explanation };
}

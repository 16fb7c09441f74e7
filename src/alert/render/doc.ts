// What an alert says, independent of how it is shown: a subject, one sentence, then
// blocks of lines. text.ts, html.ts and slack.ts show the same document, so the plain
// text and HTML parts of an email never say different things.
//
// Order, for an on-call engineer reading on a phone: what happened (one sentence),
// each target's verdict with its figures and reasons, the BGP change, the traces
// before and after hop by hop, then the small print (rule, ids, how to silence).
import { formatPrefix } from '../../model/prefix.ts';
import type { Cause, TargetVerdict } from '../../model/cause.ts';
import type { VerdictKind } from '../../model/verdict.ts';
import type { DraftAlert, DraftEntry } from '../decide.ts';
import { SEVERITY, worstKind } from '../rules.ts';
import { asPathText, deltasText, peerText, routeChangeLines, rttShort, span, traceAsText, traceLines, traceTitle, when } from './format.ts';
import { recoveryText, traceAsSequence } from './recovery.ts';

export interface Line {
  readonly text: string;
  /** Monospace (trace hops). */
  readonly mono?: boolean;
  readonly href?: string;
}

export interface Block {
  readonly title: string;
  readonly lines: readonly Line[];
}

export interface AlertDoc {
  readonly subject: string;
  /** One sentence: what happened. */
  readonly headline: string;
  readonly blocks: readonly Block[];
  /** Console links, per target id. */
  readonly links: ReadonlyMap<string, string>;
}

export interface RenderContext {
  readonly alertId: number;
  /** alert.console_url, if set. */
  readonly consoleUrl?: string;
  readonly now: number;
}

/** Targets whose traces an email shows in full. */
export const MAX_TRACED = 10;

const WORD: Record<VerdictKind, string> = { worse: 'WORSE', better: 'BETTER', same: 'SAME', unreachable: 'UNREACHABLE' };

const VERB: Record<VerdictKind, string> = {
  worse: 'got worse',
  unreachable: 'became unreachable',
  better: 'got better',
  same: 'changed path with no change in RTT, loss or hops',
};

export function consoleLink(base: string | undefined, targetId: string): string | undefined {
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, '')}/#/target/${encodeURIComponent(targetId)}`;
}

function targetLabel(tv: TargetVerdict): string {
  return tv.targetName && tv.targetName !== tv.address ? `${tv.targetName} ${tv.address}` : tv.address;
}

function prefixesOf(entries: readonly { tv: TargetVerdict }[], cause: Cause): string[] {
  const set = new Set<string>();
  for (const e of entries) if (e.tv.prefix) set.add(e.tv.prefix);
  if (set.size === 0) for (const c of cause.routeChanges) set.add(formatPrefix(c.prefix));
  return [...set];
}

/** The BGP part of a subject: "AS path 65001 65002 -> 65001 65003", "withdrawn", "peer ... down". */
function bgpShort(cause: Cause, tv: TargetVerdict): string | undefined {
  const v = tv.verdict;
  if (cause.kind === 'peer-down') {
    const c = cause.routeChanges[0];
    return c ? `peer ${peerText(c.peer)} down` : 'BGP session down';
  }
  if (v.findings.includes('no-routing-change') || cause.kind === 'path-change') return 'no routing change seen';
  if (v.findings.includes('withdrawn')) return `${v.bgp.prefix ?? 'prefix'} withdrawn`;
  if (v.bgp.before && v.bgp.after) return `AS path ${asPathText(v.bgp.before)} -> ${asPathText(v.bgp.after)}`;
  return undefined;
}

function subjectOf(d: DraftAlert, kind: VerdictKind): string {
  const entries = d.entries;
  const first = entries[0].tv;
  const prefixes = prefixesOf(entries, d.cause);
  const word = d.kind === 'recovery' ? 'RECOVERED' : WORD[kind];
  const who =
    entries.length === 1
      ? `${targetLabel(first)}${first.prefix ? ` (${first.prefix})` : ''}`
      : `${entries.length} targets ${prefixes.length === 1 ? `via ${prefixes[0]}` : `in ${prefixes.length} prefixes`}`;
  const parts: string[] = [];
  if (entries.length === 1 && d.kind === 'recovery') {
    // Not the delta to the old baseline ("+4 ms" reads like a new problem): where it is now.
    const r = recoveryText(first, entries[0].firing?.verdict);
    if (r) parts.push(r);
  } else if (entries.length === 1) {
    const r = rttShort(first.verdict.deltas);
    if (r && kind !== 'unreachable') parts.push(r);
  }
  const bgp = bgpShort(d.cause, first);
  if (bgp) parts.push(bgp);
  return `[smoketrace] ${word} ${who}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** "3 targets got worse", or with mixed kinds "12 targets were hit (1 unreachable, 11 worse)". */
function whoVerb(entries: readonly { tv: TargetVerdict }[], kind: VerdictKind): string {
  if (entries.length === 1) return `${targetLabel(entries[0].tv)} ${VERB[kind]}`;
  const counts = new Map<VerdictKind, number>();
  for (const e of entries) counts.set(e.tv.verdict.kind, (counts.get(e.tv.verdict.kind) ?? 0) + 1);
  if (counts.size === 1) return `${entries.length} targets ${VERB[kind]}`;
  const parts = [...counts].sort((a, b) => SEVERITY[b[0]] - SEVERITY[a[0]]).map(([k, n]) => `${n} ${k}`);
  return `${entries.length} targets were hit (${parts.join(', ')})`;
}

function headlineOf(d: DraftAlert, kind: VerdictKind): string {
  const { cause, entries } = d;
  const first = entries[0].tv;
  const who = entries.length === 1 ? targetLabel(first) : `${entries.length} targets`;
  const hit = whoVerb(entries, kind);
  const prefixes = prefixesOf(entries, cause);
  const pfx = prefixes.length === 1 ? prefixes[0] : `${prefixes.length} prefixes`;
  if (d.kind === 'recovery') {
    const f = entries[0].firing;
    const since = f ? `; it had been ${WORD[f.verdict]} since ${when(f.since)} (${span(first.verdict.at - f.since)}${f.alertId === undefined ? '' : `, alert #${f.alertId}`})` : '';
    const fig = entries.length === 1 ? recoveryText(first, f?.verdict) : undefined;
    return `${who} recovered at ${when(first.verdict.at)}${fig ? `: ${fig}` : ''}${since}.`;
  }
  const fig = entries.length === 1 ? deltasText(first.verdict.deltas) : undefined;
  const figText = fig && kind !== 'unreachable' ? `: ${fig}` : '';
  if (cause.kind === 'path-change' || first.verdict.findings.includes('no-routing-change')) {
    return `${hit}${figText}, and no routing change was seen for ${pfx} (congestion, or a change inside a network that BGP does not show).`;
  }
  if (cause.kind === 'peer-down') {
    const c = cause.routeChanges[0];
    return `${hit} when ${c ? `the BGP session with peer ${peerText(c.peer)} on ${c.router}` : 'a BGP session'} went down${figText}.`;
  }
  if (first.verdict.findings.includes('withdrawn')) {
    return `${hit}: ${pfx} was withdrawn${cause.routeChanges[0] ? ` by peer ${peerText(cause.routeChanges[0].peer)}` : ''} at ${when(cause.at)}${figText}.`;
  }
  const v = first.verdict;
  const path = v.bgp.before && v.bgp.after ? `; the AS path moved from ${asPathText(v.bgp.before)} to ${asPathText(v.bgp.after)}` : '';
  return `${hit} after a BGP change on ${pfx} at ${when(cause.at)}${figText}${path}.`;
}

function targetBlock(d: DraftAlert, tv: TargetVerdict, firing: DraftEntry['firing'], ctx: RenderContext, links: Map<string, string>): Block {
  const v = tv.verdict;
  const lines: Line[] = [];
  const fig = deltasText(v.deltas);
  if (d.kind === 'recovery') {
    const now = recoveryText(tv, firing?.verdict);
    lines.push({ text: `Now: ${WORD[v.kind]}${now ? `, ${now}` : ''} (confidence ${v.confidence})` });
    if (fig) lines.push({ text: `Against the baseline from before the alert: ${fig}` });
  } else lines.push({ text: `Verdict: ${WORD[v.kind]}${fig ? `, ${fig}` : ''} (confidence ${v.confidence})` });
  for (const r of v.reasons) lines.push({ text: `- ${r}` });
  if (v.findings.includes('control-data-mismatch')) lines.push({ text: '- The traceroute does not go through the ASes the BGP path names.' });
  if (d.kind === 'recovery' && tv.before && tv.after) {
    // The verdict's own pair is baseline -> now (the same path once recovered): show the
    // bad path that is gone and the one in use now, from the traces either side.
    lines.push({ text: `Traceroute AS path: ${traceAsText(traceAsSequence(tv.before))} (while it was bad) -> ${traceAsText(traceAsSequence(tv.after))} (now)` });
  } else if (v.trace.beforeAs.length > 0 || v.trace.afterAs.length > 0) {
    lines.push({ text: `Traceroute AS path: ${traceAsText(v.trace.beforeAs)} -> ${traceAsText(v.trace.afterAs)}` });
  }
  const link = consoleLink(ctx.consoleUrl, tv.targetId);
  if (link) {
    links.set(tv.targetId, link);
    lines.push({ text: `Console: ${link}`, href: link });
  }
  return { title: `${targetLabel(tv)}${tv.prefix ? ` (${tv.prefix})` : ''}`, lines };
}

function bgpBlock(cause: Cause, entries: readonly { tv: TargetVerdict }[]): Block {
  const kindWord = { 'route-change': 'a BGP route change', 'peer-down': 'a BGP session down', 'path-change': 'a data-plane change with no BGP change' }[cause.kind];
  const lines: Line[] = [{ text: `Cause: ${kindWord}, first seen ${when(cause.at)}` }];
  if (cause.kind === 'path-change' || cause.routeChanges.length === 0 || entries.some((e) => e.tv.verdict.findings.includes('no-routing-change'))) {
    for (const p of prefixesOf(entries, cause)) lines.push({ text: `BGP: no routing change was seen for ${p}.` });
  }
  // What the traffic uses now, per prefix (from the verdicts): a withdrawal from one peer
  // usually moves it to another peer's route, which the raw change below cannot show.
  const inUse = new Map<string, string>();
  for (const e of entries) {
    const b = e.tv.verdict.bgp;
    const p = b.prefix ?? e.tv.prefix;
    if (p === undefined || (b.before === undefined && b.after === undefined)) continue;
    inUse.set(p, `Route in use for ${p}: ${b.before ? asPathText(b.before) : 'none'} -> ${b.after ? asPathText(b.after) : 'none (no route left)'}`);
  }
  for (const l of [...inUse.values()].slice(0, 5)) lines.push({ text: l });
  if (inUse.size > 5) lines.push({ text: `... and ${inUse.size - 5} more prefixes` });
  const shown = cause.routeChanges.slice(0, 5);
  if (shown.length > 0) lines.push({ text: '' }, { text: `What BGP said (${cause.routeChanges.length === 1 ? 'the change' : `${cause.routeChanges.length} changes`}):` });
  shown.forEach((c, i) => {
    if (i > 0) lines.push({ text: '' });
    for (const l of routeChangeLines(c)) lines.push({ text: l });
  });
  if (cause.routeChanges.length > shown.length) lines.push({ text: `... and ${cause.routeChanges.length - shown.length} more route changes (see the console)` });
  return { title: cause.routeChanges.length > 0 ? 'BGP change' : 'BGP (no change seen)', lines };
}

function traceBlock(tv: TargetVerdict): Block {
  const lines: Line[] = [];
  if (tv.before) {
    lines.push({ text: traceTitle('Before', tv.before) });
    for (const l of traceLines(tv.before)) lines.push({ text: l, mono: true });
  } else lines.push({ text: 'Before: no trace from before the change' });
  if (tv.after) {
    lines.push({ text: traceTitle('After', tv.after) });
    for (const l of traceLines(tv.after)) lines.push({ text: l, mono: true });
  } else lines.push({ text: 'After: no trace since the change yet' });
  return { title: `Traces to ${targetLabel(tv)} (hop, AS, address, loss, RTT ms)`, lines };
}

export function buildDoc(d: DraftAlert, ctx: RenderContext): AlertDoc {
  const kind = d.kind === 'recovery' ? 'better' : worstKind(d.entries.map((e) => e.tv.verdict.kind));
  const links = new Map<string, string>();
  const blocks: Block[] = d.entries.map((e) => targetBlock(d, e.tv, e.firing, ctx, links));
  blocks.push(bgpBlock(d.cause, d.entries));
  // Every target is listed above; a session down moving hundreds of them gets the traces of
  // the first few here and the rest in the console, so the email stays readable on a phone.
  const traced = d.entries.slice(0, MAX_TRACED);
  for (const e of traced) blocks.push(traceBlock(e.tv));
  if (d.entries.length > traced.length) {
    blocks.push({ title: 'More traces', lines: [{ text: `Traces of the other ${d.entries.length - traced.length} targets are in the console${ctx.consoleUrl ? ` (${ctx.consoleUrl.replace(/\/+$/, '')})` : ''}.` }] });
  }
  blocks.push({
    title: 'About this alert',
    lines: [
      { text: `Alert #${ctx.alertId}, rule "${d.rule.name}", cause ${d.cause.id}` },
      { text: `Acknowledge: POST /api/alerts/${ctx.alertId}/ack; silence: POST /api/silences` },
    ],
  });
  return { subject: subjectOf(d, kind), headline: headlineOf(d, kind), blocks, links };
}

export function alertVerdict(d: DraftAlert): VerdictKind {
  return d.kind === 'recovery' ? 'better' : worstKind(d.entries.map((e) => e.tv.verdict.kind));
}

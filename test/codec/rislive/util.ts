// One line per FeedEvent, so fixture tests compare readable text instead of byte arrays.
import { readFileSync } from 'node:fs';
import type { FeedEvent } from '../../../src/model/feed-event.ts';
import { formatAddress } from '../../../src/model/address.ts';
import { formatPrefix } from '../../../src/model/prefix.ts';

export function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function pathText(p: readonly (number | readonly number[])[]): string {
  return p.map((a) => (typeof a === 'number' ? String(a) : `{${a.join(',')}}`)).join(' ');
}

/** "A rrc19 196.60.9.165 AS57695 196.50.70.0/24 nh=... path=... origin=igp med=... comm=... agg=..." */
export function summary(e: FeedEvent): string {
  switch (e.kind) {
    case 'route': {
      const r = e.event;
      const head = `${r.kind === 'announce' ? 'A' : 'W'} ${r.router} ${formatAddress(r.peer.address)} AS${r.peer.asn} ${formatPrefix(r.prefix)}`;
      if (r.kind === 'withdraw') return head;
      const a = r.attrs;
      const parts = [head, `nh=${a.nextHop ? formatAddress(a.nextHop) : '-'}`, `path=${pathText(a.asPath)}`, `origin=${a.origin ?? '-'}`];
      if (a.med !== undefined) parts.push(`med=${a.med}`);
      if (a.communities.length) parts.push(`comm=${a.communities.join(',')}`);
      if (a.largeCommunities.length) parts.push(`large=${a.largeCommunities.join(',')}`);
      if (a.aggregator) parts.push(`agg=${a.aggregator.asn}:${formatAddress(a.aggregator.address)}`);
      return parts.join(' ');
    }
    case 'peer-down':
    case 'peer-up':
      return `${e.kind} ${e.router} ${formatAddress(e.peer.address)} AS${e.peer.asn}`;
    case 'decode-error':
      return `error ${e.router} ${e.problem.code}`;
    default:
      return e.kind;
  }
}

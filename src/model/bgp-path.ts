// A BGP AS path in words, as operators write it: shared by the correlator's reasons and
// alerting's mails (alert/ does not import correlate/).
import type { AsPath } from './route-event.ts';

/** "65002 65004", sets as "{a b}", prepends kept as they are. */
export function formatBgpPath(path: AsPath): string {
  if (path.length === 0) return '(empty: originated in our own AS)';
  return path.map((x) => (typeof x === 'number' ? String(x) : `{${x.join(' ')}}`)).join(' ');
}

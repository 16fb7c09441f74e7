// The client -> server `ris_subscribe` message of RIS Live (https://ris-live.ripe.net/manual/).
// Layout: {"type":"ris_subscribe","data":{host?, type?, prefix?, moreSpecific?,
// lessSpecific?, path?, peer?, socketOptions}}. Only the filters the operator set are sent:
// the server treats an absent filter as "everything"; null or "" is never sent because the
// manual does not say what it means.

/** One RIS Live subscription; every field is a filter ANDed with the others. */
export interface RisSubscription {
  /** Collector, e.g. "rrc00" (the server accepts it with or without ".ripe.net"). */
  readonly host?: string;
  /** A prefix; with moreSpecific/lessSpecific the covered/covering ones too. */
  readonly prefix?: string;
  /** AS path filter in RIS Live's syntax, e.g. "64500$" for origin AS 64500. */
  readonly path?: string;
  /** Address of a RIS peer. */
  readonly peer?: string;
  /** Message type; "UPDATE" unless said. RIS_PEER_STATE needs its own subscription. */
  readonly type?: 'UPDATE' | 'OPEN' | 'NOTIFICATION' | 'KEEPALIVE' | 'RIS_PEER_STATE';
  readonly moreSpecific?: boolean;
  readonly lessSpecific?: boolean;
}

/** The JSON text of one `ris_subscribe`. Raw BGP is never asked for (we decode the JSON); acknowledge is, so the server confirms each filter. */
export function buildSubscribe(sub: RisSubscription): string {
  const data: Record<string, unknown> = {};
  if (sub.host !== undefined && sub.host !== '') data.host = sub.host;
  data.type = sub.type ?? 'UPDATE';
  if (sub.prefix !== undefined && sub.prefix !== '') data.prefix = sub.prefix;
  // The specificity flags only mean something with a prefix; without one they are left out.
  if (data.prefix !== undefined && sub.moreSpecific !== undefined) data.moreSpecific = sub.moreSpecific;
  if (data.prefix !== undefined && sub.lessSpecific !== undefined) data.lessSpecific = sub.lessSpecific;
  if (sub.path !== undefined && sub.path !== '') data.path = sub.path;
  if (sub.peer !== undefined && sub.peer !== '') data.peer = sub.peer;
  data.socketOptions = { includeRaw: false, acknowledge: true };
  return JSON.stringify({ type: 'ris_subscribe', data });
}

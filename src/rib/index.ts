// The RIB's public surface: the Rib and what its queries return.
export { Rib } from './rib.ts';
export type { ChangeSink, LookupResult, OurRoute, PeerView, PrefixRoutes, RibStats, RouteView, RouterView } from './rib.ts';
export { bestPath, asPathLength } from './best-path.ts';
export type { Candidate } from './best-path.ts';
export { originAsns, originsOf } from './origin.ts';

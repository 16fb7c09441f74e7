// RIS Live JSON codec: frames in, FeedEvents out; subscriptions out. Pure (no sockets, timers, logs).
export { type RisLiveFrame, FEED_ROUTER, collectorName, decodeRisLiveFrame, decodeRisLiveMessage } from './decode.ts';
export { type RisSubscription, buildSubscribe } from './subscribe.ts';

// fast-check generators of decoded BGP values that a decoder gives back exactly:
// canonical prefixes (host bits clear), flags with the right optional/transitive bits,
// one attribute per type, 4-octet ASNs only where the session is 4-octet.
import fc from 'fast-check';
import { attributeType } from '../../../src/codec/bgp/attrs/index.ts';
import type { AsPathSegment, Capability, Nlri, OpenMessage, PathAttribute, UpdateMessage } from '../../../src/codec/bgp/types.ts';
import type { Address } from '../../../src/model/address.ts';
import { prefix } from '../../../src/model/prefix.ts';

// fast-check's records have a null prototype by default; decoded objects do not.
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const v4: fc.Arbitrary<Address> = bytes(4, 4).map((b) => ({ family: 4, bytes: b }));
const v6: fc.Arbitrary<Address> = bytes(16, 16).map((b) => ({ family: 6, bytes: b }));

/** Optional/transitive bits fixed, partial and extended-length bits free. */
const flags = (ot: number) => fc.constantFrom(0, 0x10, 0x20, 0x30).map((x) => ot | x);

export function nlriArb(family: 4 | 6, addPath: boolean): fc.Arbitrary<Nlri[]> {
  const p = fc
    .record({ len: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }), raw: bytes(family === 4 ? 4 : 16, family === 4 ? 4 : 16), pathId: u32 })
    .map(({ len, raw, pathId }): Nlri => (addPath ? { prefix: prefix(family, len, raw), pathId } : { prefix: prefix(family, len, raw) }));
  return fc.array(p, { maxLength: 6 });
}

const segments = (asn: fc.Arbitrary<number>): fc.Arbitrary<AsPathSegment[]> =>
  fc.array(
    rec({
      kind: fc.constantFrom('set' as const, 'sequence' as const, 'confed-sequence' as const, 'confed-set' as const),
      asns: fc.array(asn, { minLength: 1, maxLength: 8 }),
    }),
    { maxLength: 4 },
  );

const KNOWN = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32, 35]);

function mpArbs(addPath: ReadonlySet<string>): fc.Arbitrary<PathAttribute>[] {
  const interpreted = rec({ afi: fc.constantFrom(1, 2), safi: fc.constantFrom(1, 2) });
  const reach = interpreted.chain(({ afi, safi }) =>
    rec({
      kind: fc.constant('mp-reach' as const),
      flags: flags(0x80),
      afi: fc.constant(afi),
      safi: fc.constant(safi),
      nextHops: afi === 1 ? fc.oneof(fc.tuple(v4), fc.tuple(v6), fc.tuple(v6, v6)) : fc.oneof(fc.tuple(v6), fc.tuple(v6, v6)),
      nlri: nlriArb(afi === 1 ? 4 : 6, addPath.has(`${afi}/${safi}`)),
      raw: fc.constant(undefined),
    }),
  );
  const rawReach = rec({ afi: u16, safi: fc.integer({ min: 3, max: 255 }), tail: bytes(2, 20), flags: flags(0x80) }).map(
    ({ afi, safi, tail, flags }): PathAttribute => ({
      kind: 'mp-reach', flags, afi, safi, nextHops: [], nlri: [],
      raw: new Uint8Array([afi >> 8, afi & 255, safi, ...tail]),
    }),
  );
  const unreach = interpreted.chain(({ afi, safi }) =>
    rec({
      kind: fc.constant('mp-unreach' as const),
      flags: flags(0x80),
      afi: fc.constant(afi),
      safi: fc.constant(safi),
      withdrawn: nlriArb(afi === 1 ? 4 : 6, addPath.has(`${afi}/${safi}`)),
      raw: fc.constant(undefined),
    }),
  );
  const rawUnreach = rec({ afi: u16, safi: fc.integer({ min: 3, max: 255 }), tail: bytes(0, 20), flags: flags(0x80) }).map(
    ({ afi, safi, tail, flags }): PathAttribute => ({
      kind: 'mp-unreach', flags, afi, safi, withdrawn: [],
      raw: new Uint8Array([afi >> 8, afi & 255, safi, ...tail]),
    }),
  );
  return [reach, rawReach, unreach, rawUnreach];
}

export function attributeArb(as4: boolean, addPath: ReadonlySet<string>): fc.Arbitrary<PathAttribute> {
  const asn = as4 ? u32 : u16;
  const arbs: fc.Arbitrary<PathAttribute>[] = [
    rec({ kind: fc.constant('origin' as const), flags: flags(0x40), value: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
    rec({ kind: fc.constant('as-path' as const), flags: flags(0x40), segments: segments(asn), as4: fc.constant(as4) }),
    rec({ kind: fc.constant('next-hop' as const), flags: flags(0x40), address: v4 }),
    rec({ kind: fc.constant('med' as const), flags: flags(0x80), value: u32 }),
    rec({ kind: fc.constant('local-pref' as const), flags: flags(0x40), value: u32 }),
    rec({ kind: fc.constant('atomic-aggregate' as const), flags: flags(0x40) }),
    rec({ kind: fc.constant('aggregator' as const), flags: flags(0xc0), asn, address: v4, as4: fc.constant(as4) }),
    rec({ kind: fc.constant('communities' as const), flags: flags(0xc0), values: fc.array(u32, { minLength: 1, maxLength: 80 }) }),
    rec({ kind: fc.constant('originator-id' as const), flags: flags(0x80), address: v4 }),
    rec({ kind: fc.constant('cluster-list' as const), flags: flags(0x80), ids: fc.array(v4, { minLength: 1, maxLength: 4 }) }),
    ...mpArbs(addPath),
    rec({ kind: fc.constant('extended-communities' as const), flags: flags(0xc0), values: fc.array(bytes(8, 8), { minLength: 1, maxLength: 4 }) }),
    rec({ kind: fc.constant('as4-path' as const), flags: flags(0xc0), segments: segments(u32) }),
    rec({ kind: fc.constant('as4-aggregator' as const), flags: flags(0xc0), asn: u32, address: v4 }),
    rec({
      kind: fc.constant('large-communities' as const),
      flags: flags(0xc0),
      values: fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 30 }),
    }),
    rec({ kind: fc.constant('only-to-customer' as const), flags: flags(0xc0), asn: u32 }),
    rec({
      kind: fc.constant('unknown' as const),
      flags: fc.integer({ min: 0, max: 255 }),
      type: fc.integer({ min: 0, max: 255 }).filter((t) => !KNOWN.has(t)),
      raw: bytes(0, 300),
    }),
  ];
  return fc.oneof(...arbs);
}

export function attributesArb(as4: boolean, addPath: ReadonlySet<string>): fc.Arbitrary<PathAttribute[]> {
  return fc.uniqueArray(attributeArb(as4, addPath), { selector: attributeType, maxLength: 10 });
}

/** UPDATEs that decode without warnings: ORIGIN, AS_PATH and NEXT_HOP always present. */
export function updateArb(as4: boolean, addPath: ReadonlySet<string>): fc.Arbitrary<UpdateMessage> {
  const ap = addPath.has('1/1');
  return fc
    .record({ withdrawn: nlriArb(4, ap), attrs: attributesArb(as4, addPath), nlri: nlriArb(4, ap) })
    .map(({ withdrawn, attrs, nlri }) => {
      const rest = attrs.filter((a) => a.kind !== 'origin' && a.kind !== 'as-path' && a.kind !== 'next-hop');
      const attributes: PathAttribute[] = [
        { kind: 'origin', flags: 0x40, value: 0 },
        { kind: 'as-path', flags: 0x40, segments: [{ kind: 'sequence', asns: [65001] }], as4 },
        { kind: 'next-hop', flags: 0x40, address: { family: 4, bytes: new Uint8Array([192, 0, 2, 1]) } },
        ...rest,
      ];
      return { kind: 'update', withdrawn, attributes, nlri, warnings: [], treatAsWithdraw: false };
    });
}

const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  rec({ afi: u16, safi: fc.integer({ min: 0, max: 255 }) }).map(({ afi, safi }): Capability => ({ code: 1, value: { kind: 'multiprotocol', afi, safi } })),
  fc.constant<Capability>({ code: 2, value: { kind: 'route-refresh' } }),
  fc.constant<Capability>({ code: 6, value: { kind: 'extended-message' } }),
  u32.map((asn): Capability => ({ code: 65, value: { kind: 'as4', asn } })),
  fc
    .array(rec({ afi: u16, safi: fc.integer({ min: 0, max: 255 }), sendReceive: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 })
    .map((entries): Capability => ({ code: 69, value: { kind: 'add-path', entries } })),
  fc
    .record({ code: fc.integer({ min: 0, max: 255 }).filter((c) => ![1, 2, 6, 65, 69].includes(c)), raw: bytes(0, 40) })
    .map(({ code, raw }): Capability => ({ code, value: { kind: 'unknown', raw } })),
);

export const openArb: fc.Arbitrary<OpenMessage> = rec({
  kind: fc.constant('open' as const),
  version: fc.constant(4),
  myAs: u16,
  holdTime: u16,
  bgpId: v4,
  capabilities: fc.array(capabilityArb, { maxLength: 12 }),
  // Type 255 is RFC 9072's extended-form marker; type 2 is capabilities.
  otherParams: fc.array(rec({ type: fc.integer({ min: 0, max: 254 }).filter((t) => t !== 2), raw: bytes(0, 300) }), { maxLength: 2 }),
});

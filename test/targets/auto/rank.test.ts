// The pure parts: merging and caps, ASN matching, traffic formats, hitlists, candidate addresses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateAddresses } from '../../../src/targets/auto/addresses.ts';
import { parseHitlist } from '../../../src/targets/auto/hitlist.ts';
import { asnCandidates, churnCandidates, formatBytes, merge, staticCandidates } from '../../../src/targets/auto/rank.ts';
import { InputFormatError, parseTraffic } from '../../../src/targets/auto/traffic-format.ts';

const noOrigin = () => [];

test('merge: static first, then the sources take turns; one entry per prefix with every reason; caps', () => {
  const churn = churnCandidates(
    [
      { prefix: '10.0.1.0/24', changes: 50 },
      { prefix: '10.0.2.0/24', changes: 40 },
      { prefix: '10.0.3.0/24', changes: 40 },
      { prefix: '10.0.9.0/24', changes: 0 },
    ],
    { top: 10, window: '24h', origins: (p) => (p === '10.0.3.0/24' ? [65001] : [65002]) },
  );
  assert.deepEqual(
    churn.map((c) => [c.prefix, c.reason]),
    [
      ['10.0.1.0/24', 'top 1 by churn: 50 updates in 24h'],
      ['10.0.2.0/24', 'top 2 by churn: 40 updates in 24h'],
      ['10.0.3.0/24', 'top 3 by churn: 40 updates in 24h'],
    ],
    'zero-change prefixes are not ranked; ties by prefix',
  );
  const asn = asnCandidates(
    [
      { prefix: '10.0.2.0/24', paths: [[65010, 65002]] },
      { prefix: '10.9.0.0/16', paths: [[65010, 65002], [65011, 65002]] },
    ],
    { asn: 65002, role: 'peer', match: 'origin', top: 10 },
  );
  const stat = staticCandidates(['10.5.0.0/24'], noOrigin);
  const m = merge([churn, asn, stat], { limit: 10, maxPerOrigin: 10 });
  assert.deepEqual(
    m.suggestions.map((s) => [s.prefix, s.source, s.reason]),
    [
      ['10.5.0.0/24', 'static', 'static list (auto_targets.static)'],
      ['10.0.1.0/24', 'churn', 'top 1 by churn: 50 updates in 24h'],
      ['10.9.0.0/16', 'asn', 'originated by AS65002 (peer)'],
      ['10.0.2.0/24', 'churn', 'top 2 by churn: 40 updates in 24h; originated by AS65002 (peer)'],
      ['10.0.3.0/24', 'churn', 'top 3 by churn: 40 updates in 24h'],
    ],
  );
  const capped = merge([churn, asn], { limit: 2, maxPerOrigin: 1 });
  assert.deepEqual(
    capped.suggestions.map((s) => s.prefix),
    ['10.0.1.0/24', '10.0.3.0/24'],
    'AS65002 takes one slot (10.9.0.0/16 and 10.0.2.0/24 are AS65002 too); the AS65001 one fits',
  );
  assert.deepEqual(
    capped.skipped.map((s) => [s.prefix, s.why]),
    [
      ['10.9.0.0/16', 'AS65002 has 1 auto targets already (max_per_origin)'],
      ['10.0.2.0/24', 'AS65002 has 1 auto targets already (max_per_origin)'],
    ],
  );
  const two = merge([churn], { limit: 2, maxPerOrigin: 10 });
  assert.deepEqual(two.skipped, [{ prefix: '10.0.3.0/24', why: 'over the cap of 2 targets' }]);
  const ex = merge([churn], { limit: 10, maxPerOrigin: 10, exclude: (p) => (p === '10.0.1.0/24' ? 'covered by config target x' : undefined) });
  assert.deepEqual(ex.suggestions.map((s) => s.prefix), ['10.0.2.0/24', '10.0.3.0/24']);
});

test('asn: upstream means on the path before the origin; an AS_SET origin counts each member', () => {
  const routes = [
    { prefix: '10.1.0.0/16', paths: [[65100, 65200, 65300]] },
    { prefix: '10.2.0.0/16', paths: [[65100, 65200]] },
    { prefix: '10.3.0.0/16', paths: [[65100, [65200, 65400]]] },
  ];
  assert.deepEqual(asnCandidates(routes, { asn: 65200, match: 'upstream', top: 5 }).map((c) => c.prefix), ['10.1.0.0/16']);
  assert.deepEqual(asnCandidates(routes, { asn: 65200, match: 'origin', top: 5 }).map((c) => [c.prefix, c.reason]), [
    ['10.2.0.0/16', 'originated by AS65200'],
    ['10.3.0.0/16', 'originated by AS65200'],
  ]);
  assert.equal(asnCandidates(routes, { asn: 65200, role: 'transit', match: 'upstream', top: 5 })[0].reason, 'reached through AS65200 (transit)');
});

test('traffic formats: nfdump statistics csv, pmacct json array, side both; errors name the line', () => {
  const stat = 'ts,te,td,pr,val,fl,flP,ipkt,ipktP,ibyt,ibytP,ipps,ipbs,ibpp\n2024-01-01 00:00:00,2024-01-01 00:05:00,300.000,any,198.51.100.7,10,50.0,100,50.0,123456,60.0,0,0,0\n';
  assert.deepEqual(parseTraffic(stat, { name: 'stat.csv' }).rows, [{ key: '198.51.100.7', value: 123456 }]);
  const arr = JSON.stringify([{ ip_src: '192.0.2.1', ip_dst: '2001:db8::1', packets: 3, bytes: 300 }]);
  const both = parseTraffic(arr, { name: 'a.json', side: 'both' });
  assert.deepEqual(both.rows, [
    { key: '2001:db8::1', value: 300 },
    { key: '192.0.2.1', value: 300 },
  ]);
  assert.equal(both.detected, 'pmacct json');
  assert.throws(() => parseTraffic('address,bytes\n10.0.0.1,5\n10.0.0.2,x\n', { name: 'f.csv' }), (e: unknown) => e instanceof InputFormatError && e.message === 'f.csv:3: bytes is not a number: "x"');
  assert.throws(() => parseTraffic('{"ip_dst":"10.0.0.1","bytes":1}\n{oops\n', { name: 'p.json' }), /^InputFormatError: p\.json:2: is not valid JSON/);
  assert.throws(() => parseTraffic('address,bytes\nnot-an-ip,5\n', { name: 'g.csv' }), /g\.csv:2: address is not an IP address or prefix/);
  assert.equal(formatBytes(1_234_567_890), '1.2 GB');
});

test('hitlist: plain addresses and ISI hex lines; junk is an error with its line', () => {
  const h = parseHitlist('# x\n2001:db8::5\nc6336407 87\nc6336408 -1\n', 'h.txt');
  assert.equal(h.size, 2);
  assert.equal(h.find('198.51.100.0/24'), '198.51.100.7');
  assert.equal(h.find('2001:db8::/32'), '2001:db8::5');
  assert.equal(h.find('203.0.113.0/24'), undefined);
  assert.throws(() => parseHitlist('10.0.0.1\nhello\n', 'h.txt'), /h\.txt:2: is not an IP address/);
  // A big list (one address per /24 of 10.0.0.0/8, unsorted): the lowest inside the prefix, found by search.
  const lines: string[] = [];
  for (let i = 65535; i >= 0; i--) lines.push(`10.${i >> 8}.${i & 255}.${(i * 7) % 250 + 1}`);
  const big = parseHitlist(lines.join('\n'), 'big.txt');
  assert.equal(big.size, 65536);
  assert.equal(big.find('10.200.3.0/24'), `10.200.3.${((200 * 256 + 3) * 7) % 250 + 1}`);
  assert.equal(big.find('10.200.0.0/16'), `10.200.0.${((200 * 256) * 7) % 250 + 1}`);
  assert.equal(big.find('10.200.3.0/24', () => false), undefined);
  assert.equal(big.find('172.16.0.0/12'), undefined);
});

test('candidate addresses: first usable first, a fixed sample, inside the prefix and the filter', () => {
  const a = candidateAddresses('198.51.100.0/24', 4);
  assert.equal(a[0], '198.51.100.1');
  assert.equal(a.length, 4);
  assert.deepEqual(candidateAddresses('198.51.100.0/24', 4), a, 'the same every time');
  assert.ok(a.every((x) => /^198\.51\.100\.(\d+)$/.test(x) && !['0', '255'].includes(x.split('.')[3])), a.join(' '));
  assert.deepEqual(candidateAddresses('192.0.2.9/32', 3), ['192.0.2.9']);
  assert.deepEqual(candidateAddresses('192.0.2.8/31', 3), ['192.0.2.8', '192.0.2.9'], 'both ends of a /31 are usable');
  assert.equal(candidateAddresses('2001:db8:100::/48', 1)[0], '2001:db8:100::1');
  assert.deepEqual(candidateAddresses('198.51.100.0/24', 3, () => false), [], 'nothing when the filter refuses all');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv6, parseAddress, parseIPv6 } from '../../src/model/address.ts';
import { formatPrefix, parsePrefix, prefixContains } from '../../src/model/prefix.ts';

test('IPv6 prints like inet_ntop', () => {
  const cases: [string, string][] = [
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4'],
    ['0:0:0:0:0:0:102:304', '::1.2.3.4'],
    ['2001:db8:1:0:1:0:0:1', '2001:db8:1:0:1::1'],
    ['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
  ];
  for (const [input, want] of cases) {
    const b = parseIPv6(input);
    assert.ok(b, input);
    assert.equal(formatIPv6(b), want, input);
  }
});

test('address and prefix parsing rejects junk', () => {
  for (const bad of ['', '1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', 'g::1', '1.2.3.4; rm -rf /', '::1%eth0']) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
  assert.equal(parsePrefix('10.0.0.0/33'), undefined);
  assert.equal(formatPrefix(parsePrefix('10.1.2.3/8')!), '10.0.0.0/8');
  assert.equal(formatPrefix(parsePrefix('2001:db8::1/32')!), '2001:db8::/32');
  assert.ok(prefixContains(parsePrefix('192.0.2.0/25')!, parseAddress('192.0.2.77')!), '192.0.2.0/25 should contain 192.0.2.77');
  assert.ok(!prefixContains(parsePrefix('192.0.2.0/25')!, parseAddress('192.0.2.200')!), '192.0.2.0/25 should not contain 192.0.2.200');
});

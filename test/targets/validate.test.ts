// Target validation: hostile strings are refused with a reason, good ones normalised.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../src/model/prefix.ts';
import { parseTargetAddress, validateTarget } from '../../src/targets/validate.ts';

const allowed = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map((p) => parsePrefix(p)!);
const opts = { allowed };

describe('validateTarget: hostile and malformed addresses', () => {
  const table: [string, unknown, RegExp][] = [
    ['shell: ; rm -rf /', '; rm -rf /', /whitespace|";"/],
    ['shell: no spaces', ';rm${IFS}-rf', /";"/],
    ['command substitution', '$(reboot)', /"\$"/],
    ['backticks', '`reboot`', /"`"/],
    ['pipe', 'a|b', /"\|"/],
    ['ampersand', 'a&b', /"&"/],
    ['option injection', '-oProxyCommand=x', /starts with "-"/],
    ['lone dash', '-', /starts with "-"/],
    ['space inside', 'a b', /whitespace/],
    ['tab', 'a\tb', /control|whitespace/],
    ['newline', '198.51.100.1\nrm', /control/],
    ['NUL', '\u0000', /control/],
    ['NUL after an address', '198.51.100.1\u0000x', /control/],
    ['URL', 'http://x', /URL/],
    ['URL with path', 'https://example.net/a', /URL/],
    ['300-char name', 'a'.repeat(300), /characters long/],
    ['254-char name', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, /253/],
    ['64-char label', `${'a'.repeat(64)}.example`, /at most 63/],
    ['prefix', '1.2.3.4/24', /prefix/],
    ['v6 prefix', '2001:db8::/32', /prefix/],
    ['zone id', '::1%eth0', /zone/],
    ['link-local zone', 'fe80::1%eth0', /zone/],
    ['empty', '', /empty/],
    ['number', 198, /string/],
    ['null', null, /string/],
    ['object', { toString: 'x' }, /string/],
    ['short IPv4', '1.2.3', /malformed IPv4/],
    ['leading zero octet', '01.2.3.4', /malformed IPv4/],
    ['five octets', '1.2.3.4.5', /malformed IPv4/],
    ['bad v6', '2001:db8::zz', /IPv6/],
    ['brackets', '[2001:db8::1]', /"\["/],
    ['underscore label', 'a_b.example', /RFC 1123/],
    ['hyphen edge', 'a-.example', /RFC 1123/],
    ['double dot', 'a..example', /empty label/],
    ['non-ascii', 'bücher.example', /non-ASCII/],
    ['unicode digits', '١٩٨.51.100.1', /non-ASCII/],
    ['user@host', 'root@198.51.100.1', /"@"/],
    ['glob', '198.51.100.*', /"\*"/],
    ['out of range v4', '8.8.8.8', /outside probe.allowed/],
    ['out of range v6', '2001:4860::8888', /outside probe.allowed/],
    ['loopback not allowed', '127.0.0.1', /outside probe.allowed/],
    ['multicast', '224.0.0.1', /multicast/],
    ['broadcast', '255.255.255.255', /reserved or broadcast/],
    ['unspecified v6', '::', /unspecified/],
    ['v6 multicast', 'ff02::1', /multicast/],
    ['this network', '0.0.0.0', /0\.0\.0\.0\/8/],
  ];
  for (const [what, address, re] of table) {
    it(`refuses ${what}`, () => {
      const r = validateTarget({ address }, opts);
      assert.equal(r.ok, false, `accepted ${JSON.stringify(address)}`);
      if (r.ok) return;
      assert.equal(r.status, 400);
      assert.equal(r.field, 'address');
      assert.match(r.reason, re);
      assert.ok(r.reason.length < 400, 'reasons stay short even for absurd input');
    });
  }

  it('refuses everything when probe.allowed is empty', () => {
    const r = validateTarget({ address: '198.51.100.1' }, { allowed: [] });
    assert.ok(!r.ok && /probe.allowed is empty/.test(r.reason), 'with an empty probe.allowed every target should be refused');
  });
});

describe('validateTarget: other fields', () => {
  const table: [string, Record<string, unknown>, string, RegExp][] = [
    ['unknown field', { address: '198.51.100.1', command: 'x' }, 'command', /not a target field/],
    ['interval too short', { address: '198.51.100.1', interval: '1s' }, 'interval', /between/],
    ['interval garbage', { address: '198.51.100.1', interval: '5 minutes; reboot' }, 'interval', /duration/],
    ['backend unknown', { address: '198.51.100.1', backend: 'ping' }, 'backend', /one of/],
    ['backend injection', { address: '198.51.100.1', backend: 'mtr --raw' }, 'backend', /one of/],
    ['name too long', { address: '198.51.100.1', name: 'x'.repeat(101) }, 'name', /1\.\.100/],
    ['name with NUL', { address: '198.51.100.1', name: 'a\u0000b' }, 'name', /control/],
    ['name not a string', { address: '198.51.100.1', name: 5 }, 'name', /string/],
  ];
  for (const [what, input, field, re] of table) {
    it(`refuses ${what}`, () => {
      const r = validateTarget(input, opts);
      assert.ok(!r.ok, 'this target should be refused');
      assert.equal(r.field, field);
      assert.match(r.reason, re);
    });
  }
  it('refuses a non-object', () => {
    for (const v of [null, 'x', [], 5]) assert.equal(validateTarget(v, opts).ok, false);
  });
});

describe('validateTarget: accepted and normalised', () => {
  it('canonicalises IP literals and fills the name', () => {
    assert.deepEqual(validateTarget({ address: '198.51.100.1' }, opts), { ok: true, value: { address: '198.51.100.1', name: '198.51.100.1' } });
    const v6 = validateTarget({ address: '2001:DB8:100:0:0:0:0:1', name: ' edge ', interval: '5m', backend: 'scamper' }, opts);
    assert.deepEqual(v6, { ok: true, value: { address: '2001:db8:100::1', name: 'edge', interval: 300_000, backend: 'scamper' } });
  });
  it('accepts a number of ms as interval', () => {
    const r = validateTarget({ address: '203.0.113.1', interval: 60_000 }, opts);
    assert.ok(r.ok && r.value.interval === 60_000, 'expected a valid target with the default 60 s interval');
  });
  it('keeps host names for resolution at add time, lower-cased, trailing dot dropped', () => {
    assert.deepEqual(validateTarget({ address: 'Edge-1.Example.NET.' }, opts), { ok: true, value: { host: 'edge-1.example.net', name: 'edge-1.example.net' } });
    const max = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(max.length, 253);
    assert.ok(validateTarget({ address: max }, opts).ok, 'the longest allowed address should validate');
  });
  it('accepts a zone id only when allowed', () => {
    const r = parseTargetAddress('fe80::1%eth0', { allowZone: true });
    assert.ok(r.ok && r.value.zone === 'eth0', 'expected a valid target with zone eth0');
    assert.equal(parseTargetAddress('fe80::1%eth0;x', { allowZone: true }).ok, false);
  });
});

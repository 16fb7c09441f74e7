// The argv each backend builds: numeric only, the method flags LAB-NOTES says keep one
// flow, and refusals for what a tool cannot do (no silent empty traces).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mtrArgv } from '../../src/probe/backends/mtr.ts';
import { tracerouteArgv } from '../../src/probe/backends/traceroute.ts';
import { tcptracerouteArgv } from '../../src/probe/backends/tcptraceroute.ts';
import { scamperCommand } from '../../src/probe/backends/scamper.ts';
import { ProbeError } from '../../src/probe/runner.ts';

const unsupported = (e: unknown) => e instanceof ProbeError && e.kind === 'unsupported';

describe('backend argv', () => {
  it('mtr: json, numeric, ICMP by default; raw on request; udp-paris v4 only', () => {
    assert.deepEqual(mtrArgv({ target: '198.51.100.1' }), ['mtr', '--json', '-n', '-4', '-c', '5', '-i', '0.2', '-G', '2', '-m', '30', '198.51.100.1']);
    assert.deepEqual(mtrArgv({ target: '2001:DB8:100::1' }, { raw: true, count: 3 }).slice(0, 8), ['mtr', '--raw', '-n', '-6', '-c', '3', '-i', '0.2']);
    assert.deepEqual(mtrArgv({ target: '198.51.100.1', method: 'udp-paris', port: 53, sport: 40000 }).slice(-6), ['--udp', '-P', '53', '-L', '40000', '198.51.100.1']);
    assert.throws(() => mtrArgv({ target: '2001:db8:100::1', method: 'udp-paris' }), unsupported);
    assert.deepEqual(mtrArgv({ target: '198.51.100.1', method: 'tcp' }).slice(-4), ['--tcp', '-P', '80', '198.51.100.1']);
    assert.throws(() => mtrArgv({ target: '198.51.100.1', method: 'tcp-paris' }), unsupported);
  });

  it('traceroute: -I by default, -U/-T with --sport for Paris', () => {
    assert.deepEqual(tracerouteArgv({ target: '203.0.113.1' }), ['traceroute', '-n', '-4', '-q', '3', '-w', '2', '-m', '30', '-I', '203.0.113.1']);
    assert.deepEqual(tracerouteArgv({ target: '203.0.113.1', method: 'udp-paris', sport: 33002 }).slice(-3), ['-U', '--sport=33002', '203.0.113.1']);
    assert.deepEqual(tracerouteArgv({ target: '2001:db8:200::1', method: 'tcp-paris', port: 443 }).slice(-5), ['-T', '-p', '443', '--sport=33000', '2001:db8:200::1']);
  });

  it('tcptraceroute: IPv4 and TCP only, port last', () => {
    assert.deepEqual(tcptracerouteArgv({ target: '198.51.100.1', port: 443, sport: 40001 }), ['tcptraceroute', '-n', '-q', '3', '-w', '2', '-m', '30', '-p', '40001', '198.51.100.1', '443']);
    assert.throws(() => tcptracerouteArgv({ target: '2001:db8:100::1' }), unsupported);
    assert.throws(() => tcptracerouteArgv({ target: '198.51.100.1', method: 'icmp' }), unsupported);
  });

  it('scamper: icmp-paris by default, a fixed sport for udp-paris, the userid last but one', () => {
    assert.equal(scamperCommand({ target: '198.51.100.1' }, 7), 'trace -P icmp-paris -q 2 -w 2 -m 30 -U 7 198.51.100.1');
    assert.equal(scamperCommand({ target: '2001:db8:100::1', method: 'udp-paris' }, 8), 'trace -P udp-paris -q 2 -w 2 -m 30 -s 33000 -U 8 2001:db8:100::1');
    assert.equal(scamperCommand({ target: '198.51.100.1', method: 'tcp', port: 443 }, 9), 'trace -P tcp -q 2 -w 2 -m 30 -d 443 -U 9 198.51.100.1');
    assert.throws(() => scamperCommand({ target: '198.51.100.1', method: 'sctp' }, 1), unsupported);
  });

  it('no argv is ever built from something that is not an IP literal', () => {
    for (const bad of ['-oProxyCommand=x', 'host.example', '$(reboot)', '198.51.100.1 -x', '']) {
      assert.throws(() => mtrArgv({ target: bad }), unsupported);
      assert.throws(() => tracerouteArgv({ target: bad }), unsupported);
      assert.throws(() => tcptracerouteArgv({ target: bad }), unsupported);
      assert.throws(() => scamperCommand({ target: bad }, 1), unsupported);
    }
  });
});

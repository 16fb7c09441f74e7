// Secrets in alert channels: an SMTP password that is not valid percent-encoding is a
// config error naming the key (never a URIError at start), and send errors have every
// known secret removed, however short.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmailChannel } from '../../src/alert/channels/email.ts';
import { errorText } from '../../src/alert/channels/types.ts';
import { fromRaw } from '../../src/config/load.ts';

function load(smtp: string) {
  return fromRaw({ email: { smtp, from: 'st@example.net', to: ['noc@example.net'] } }, { env: {}, sets: [] }, { path: 'test', how: 'given' });
}

test('email.smtp with a stray "%" in the password is one config line naming the key, the password not shown', () => {
  const r = load('smtp://alerts:p%zz@mail.example.net:587');
  assert.equal(r.ok, false, 'refused at config time');
  const problems = r.ok ? [] : r.problems;
  assert.deepEqual(problems, ['email.smtp: expected a percent-encoded password in the URL (write a literal % as %25), got "smtp://alerts:***@mail.example.net:587"']);
  assert.ok(!problems.join('\n').includes('p%zz'), 'the password never appears');
  const user = load('smtp://al%g:secret@mail.example.net');
  assert.deepEqual(user.ok ? [] : user.problems, ['email.smtp: expected a percent-encoded user name in the URL (write a literal % as %25), got "smtp://al%g:***@mail.example.net"']);
  const encoded = load('smtp://alerts:p%25zz@mail.example.net:587');
  assert.ok(encoded.ok, encoded.ok ? '' : encoded.problems.join('\n'));
  assert.equal(decodeURIComponent(encoded.config.email.smtp!.password), 'p%zz', 'a "%" written as %25 is the password\'s own "%"');
});

test('an EmailChannel given such a URL anyway does not throw at construction (the service start never fails on it)', async () => {
  const ch = new EmailChannel({ smtp: new URL('smtp://alerts:p%zz@127.0.0.1:9'), from: 'st@example.net', to: ['noc@example.net'], instance: 'x', timeoutMs: 2000 });
  assert.equal(ch.name, 'email');
  await ch.close();
});

test('send errors: every known secret is redacted whatever its length, longest first', () => {
  assert.equal(errorText(new Error('535 authentication failed for alerts:pw'), ['pw']), '535 authentication failed for alerts:***');
  assert.equal(errorText(new Error('password k rejected'), ['k']), 'password *** rejected');
  assert.equal(errorText(new Error('token abc and ab'), ['ab', 'abc']), 'token *** and ***', 'a secret containing another goes whole');
  assert.equal(errorText(new Error('nothing to hide'), ['']), 'nothing to hide', 'an empty secret changes nothing');
});

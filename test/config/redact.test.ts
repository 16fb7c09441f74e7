// Secrets from the config and requests never reach the log.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { redactUrlPassword, redactUrlPath } from '../../src/config/redact.ts';
import { createLogger } from '../../src/log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

test('the logger redacts the token, the SMTP password, the webhook path and Authorization headers', () => {
  const { lines, logger } = capture();
  const config = {
    api: { listen: '127.0.0.1:8080', token: 'tok-0123456789abcdef' },
    email: { smtp: 'smtps://alerts:hunter2@mail.example.net:465', to: ['noc@example.net'] },
    webhook: { url: 'https://hooks.example.net/services/T0/B0/s3cr3t' },
  };
  logger.info({ config }, 'config');
  logger.child({ component: 'api' }).info({ req: { headers: { authorization: 'Bearer tok-0123456789abcdef' } } }, 'req');
  logger.info(config.email, 'email section');
  const out = lines.join('');
  for (const secret of ['tok-0123456789abcdef', 'hunter2', 's3cr3t']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  // What is left still tells an operator where things point.
  assert.ok(out.includes('smtps://alerts:***@mail.example.net:465'), `the SMTP password is not redacted:\n${out}`);
  assert.ok(out.includes('https://hooks.example.net/***'), `the webhook path is not redacted:\n${out}`);
  assert.ok(out.includes('127.0.0.1:8080'), `the non-secret listen address should be kept:\n${out}`);
});

test('URL redaction keeps what is not secret', () => {
  assert.equal(redactUrlPassword('smtp://mail.example.net:587'), 'smtp://mail.example.net:587');
  assert.equal(redactUrlPassword('smtp://u:p%40ss@mail.example.net'), 'smtp://u:***@mail.example.net');
  assert.equal(redactUrlPassword('not a url u:pw@host'), 'not a url u:pw@host');
  assert.equal(redactUrlPassword('smtpz//u:pw@host'), 'smtpz//u:***@host');
  assert.equal(redactUrlPath('https://hooks.example.net/'), 'https://hooks.example.net/');
  assert.equal(redactUrlPath('https://user:pw@hooks.example.net/x?token=1'), 'https://***@hooks.example.net/***');
});

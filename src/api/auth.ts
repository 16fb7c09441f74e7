// Bearer-token guard for write routes. Use it as the route's onRequest hook, so an
// unauthenticated client gets 401 before its body is even parsed or validated:
//   app.post('/api/things', { onRequest: requireToken }, handler)
// With no token configured, writes are refused (WRITES_DISABLED), never left open.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

export type TokenGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares in time independent of where the strings differ (digests make the lengths equal). */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireToken(token: string | undefined): TokenGuard {
  const expected = token === undefined || token === '' ? undefined : token;
  return async (req, reply) => {
    if (expected === undefined) {
      throw new ApiError('WRITES_DISABLED', 'writes are disabled: no API token is configured (set api.token or SMOKETRACE_API_TOKEN)');
    }
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m || !tokensEqual(m[1], expected)) {
      // RFC 6750 section 3: tell the client which scheme is expected.
      reply.header('WWW-Authenticate', m ? 'Bearer error="invalid_token"' : 'Bearer');
      throw new ApiError('UNAUTHORIZED', m ? 'the bearer token is not valid' : 'this route needs an Authorization: Bearer <token> header');
    }
  };
}

// Builds the fastify app: error shape, OpenAPI, docs and one plugin per resource.
// Listens on nothing (server.ts does), so tests drive it with app.inject().
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from '../log.ts';
import { type TokenGuard, requireToken } from './auth.ts';
import { ErrorResponse, installErrorHandlers } from './errors.ts';
import { type HealthSource, healthRoutes } from './health.ts';

/** What every resource plugin may need from the app itself. */
export interface ApiContext {
  /** onRequest hook for write routes (see auth.ts). */
  readonly requireToken: TokenGuard;
}

/**
 * A resource: registers its routes in its own plugin scope. service.ts builds these
 * with the services they need, e.g.
 *   (app, ctx) => app.register(targetRoutes, { targets, requireToken: ctx.requireToken })
 */
export type Resource = (app: FastifyInstance, ctx: ApiContext) => Promise<void> | void;

export interface AppOptions {
  readonly logger: Logger;
  readonly version: string;
  readonly health: HealthSource;
  /** The API token for write routes; undefined closes every write route. */
  readonly token: string | undefined;
  readonly resources?: readonly Resource[];
}

/** Per-request lines at info would drown the log in health checks: they go to debug. */
class QuietRequests extends LogController {
  override incomingRequest(req: FastifyRequest): void {
    req.log.debug({ method: req.method, url: req.url }, 'request');
  }

  override requestCompleted(err: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (err) req.log.error({ err, status: reply.statusCode }, 'request failed');
    else req.log.debug({ status: reply.statusCode, ms: reply.elapsedTime }, 'request done');
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast only drops pino-only members from the type.
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new QuietRequests(),
    // Unknown body properties are errors, not silently dropped: typos must not pass.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandlers(app);
  app.addSchema(ErrorResponse);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'smoketrace',
        version: opts.version,
        description: 'Joins BGP with traceroutes and tells the NOC when a routing change made a path worse.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // Assets are served from the package itself: the docs work with no internet access.
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { health: opts.health });
  const ctx: ApiContext = { requireToken: requireToken(opts.token) };
  for (const resource of opts.resources ?? []) {
    await app.register(async (scope) => resource(scope, ctx));
  }
  return app;
}

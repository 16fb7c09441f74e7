// GET /api/health: is the service up, which version, and the state of each component.
// 200 when every component is ok, 503 otherwise, so a load balancer or monitoring
// check can use the status code alone.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { ComponentHealth } from '../component.ts';

export interface HealthSource {
  readonly version: string;
  uptimeSeconds(): number;
  components(): Record<string, ComponentHealth>;
}

const ComponentState = Type.Object({
  state: Type.Union([
    Type.Literal('starting'),
    Type.Literal('ok'),
    Type.Literal('degraded'),
    Type.Literal('failed'),
    Type.Literal('stopped'),
  ]),
  detail: Type.Optional(Type.String()),
  counters: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'What the component counts, e.g. routes, routersConnected, eventsPerSecond, decodeErrors' })),
});

const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeSeconds: Type.Integer({ minimum: 0 }),
  components: Type.Record(Type.String(), ComponentState),
});

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthSource }> = async (app, { health }) => {
  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Service health',
        description: 'Version, uptime and the state of each component. 503 when any component is not ok.',
        tags: ['health'],
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (_req, reply) => {
      const components = health.components();
      const allOk = Object.values(components).every((c) => c.state === 'ok');
      return reply.status(allOk ? 200 : 503).send({
        status: allOk ? 'ok' : 'degraded',
        version: health.version,
        uptimeSeconds: Math.floor(health.uptimeSeconds()),
        components,
      });
    },
  );
};

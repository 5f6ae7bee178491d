import type { FastifyInstance } from 'fastify';
import type { FastifyReply } from 'fastify';
import type { ControlPlane } from '../../control/control-plane.js';
import type { ImportReport } from '../../control/definitions-import.js';
import { register } from '../api.js';
import { definitionsBody } from '../schemas.js';

/**
 * /api/definitions[/{vhost}]: RabbitMQ's export format both ways. Beyond RabbitMQ, an
 * import answers with what it imported and, item by item, what it skipped and why:
 * 200 when all it skipped are features Warren lacks, 400 (RabbitMQ's error body, plus
 * the report) when the file had items RabbitMQ would have refused too. Either way,
 * everything that could be imported was.
 */
export function definitionRoutes(app: FastifyInstance, control: ControlPlane): void {
  register(app, control, {
    method: 'GET',
    url: '/api/definitions',
    level: 'administrator',
    handler: (req, reply) => {
      // ?download=NAME makes it a file, as the management UI's export link asks.
      const download = req.query.download;
      if (download) reply.header('content-disposition', `attachment; filename=${download.replace(/[^\w.-]/g, '_')}`);
      return control.exportDefinitions();
    },
  });
  register(app, control, {
    method: 'GET',
    url: '/api/definitions/:vhost',
    level: 'administrator',
    handler: (req) => control.exportDefinitions(req.params.vhost),
  });
  register(app, control, {
    method: 'POST',
    url: '/api/definitions',
    level: 'administrator',
    body: definitionsBody,
    handler: (req, reply) => answer(reply, control.importDefinitions(req.body)),
  });
  register(app, control, {
    method: 'POST',
    url: '/api/definitions/:vhost',
    level: 'administrator',
    body: definitionsBody,
    handler: (req, reply) => answer(reply, control.importDefinitions(req.body, req.params.vhost)),
  });
}

function answer(reply: FastifyReply, report: ImportReport): FastifyReply {
  const invalid = report.skipped.filter((item) => item.cause === 'invalid');
  if (invalid.length === 0) return reply.code(200).send(report);
  const first = invalid[0];
  const more = invalid.length > 1 ? ` (and ${invalid.length - 1} more; see skipped)` : '';
  const reason = `${first.kind} '${first.name}'${first.vhost === undefined ? '' : ` in vhost '${first.vhost}'`}: ${first.reason}${more}`;
  return reply.code(400).send({ error: 'bad_request', reason, ...report });
}

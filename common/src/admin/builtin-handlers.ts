// The standard admin endpoints, each built from the object it reports on. A server only gets the endpoints
// whose object it is given, so one AdminServer class serves admin (15000), stats (15020) and readiness (15021).
import type { Readiness } from '../lifecycle/readiness.ts';
import type { Drain } from '../lifecycle/drain.ts';
import type { MetricsRegistry } from '../metrics/metrics-registry.ts';
import type { LogRoot } from '../log/logger.ts';
import { LogError } from '../log/log-error.ts';
import type { ConfigDump } from './config-dump.ts';
import { jsonResponse, textResponse } from './admin-handler.ts';
import type { AdminHandler } from './admin-handler.ts';

/** `/ready`, `/healthz/ready`: 200 when all startup tasks are done and no drain has begun, else 503. */
export function readinessHandler(readiness: Readiness, drain?: Drain): AdminHandler {
  return () => {
    // A draining process must leave load balancers first, so it reports not-ready (as Envoy does).
    if (drain?.started) return textResponse(503, 'not ready: draining');
    if (readiness.isReady()) return textResponse(200, 'ready');
    return textResponse(503, `not ready: pending tasks: ${readiness.pending().join(', ')}`);
  };
}

/** `/metrics`, `/stats/prometheus`: the registry's Prometheus text. */
export function metricsHandler(registry: MetricsRegistry): AdminHandler {
  return async () => ({ status: 200, contentType: registry.contentType, body: await registry.metrics() });
}

/** `/config_dump`: every section as JSON, or only those named by `?sections=a,b`. */
export function configDumpHandler(dump: ConfigDump): AdminHandler {
  return async (req) => {
    const filter = req.query.get('sections');
    const names = filter === null ? undefined : filter.split(',').map((s) => s.trim());
    const unknown = names?.filter((n) => !dump.names().includes(n)) ?? [];
    if (unknown.length > 0) {
      return textResponse(404, `unknown config_dump sections: ${unknown.join(', ')} (have: ${dump.names().join(', ')})`);
    }
    return jsonResponse(200, await dump.dump(names));
  };
}

/** `/logging`: GET shows the levels; POST `?level=xds:debug,default:info` changes them. */
export function loggingHandler(log: LogRoot): AdminHandler {
  return (req) => {
    const level = req.query.get('level');
    if (req.method === 'GET') {
      if (level !== null) return textResponse(405, 'use POST to change log levels');
      return textResponse(200, `current log level is ${log.describeLevels()}`);
    }
    if (level === null || level.trim() === '') {
      return textResponse(400, 'missing level parameter: expected ?level=<scope>:<level>[,<scope>:<level>...]');
    }
    try {
      log.applyLevels(level);
    } catch (err) {
      if (err instanceof LogError) return textResponse(400, err.message);
      throw err;
    }
    return textResponse(200, `current log level is ${log.describeLevels()}`);
  };
}

/** `/quitquitquit` (POST): starts the drain and answers at once; the drain continues in the background. */
export function quitHandler(drain: Drain): AdminHandler {
  return () => {
    void drain.start('admin /quitquitquit');
    return textResponse(200, 'draining');
  };
}

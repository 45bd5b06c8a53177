import { createLogger } from "../../backend/src/logger";
import { createMetrics } from "../../backend/src/metrics";
import { createReadiness } from "../../backend/src/readiness";
import { createShutdown } from "../../backend/src/shutdown";
import type { TestDatabase } from "./database";

/**
 * The `Context` parts a component factory takes (`createWorker`, `createReconciler`, ...) over a test database:
 * fresh metrics (no process metrics), readiness and shutdown each call; the database is the test's to drop.
 */
export function testContext(db: TestDatabase, logger = createLogger({ level: "silent" })) {
  return {
    db: { pool: db.pool, url: db.url, embedded: false, stop: async () => undefined },
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: createReadiness(),
    shutdown: createShutdown(logger),
  };
}

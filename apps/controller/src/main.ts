// The controller executable: settings from flags and environment, JSON logs on stdout, and a
// graceful stop on SIGTERM or SIGINT (a second signal exits at once).
import { hostname } from "node:os";
import pino from "pino";
import { ConfigError, parseControllerConfig } from "./controller-config";
import { startController } from "./start-controller";

let request;
try {
  request = parseControllerConfig(process.argv.slice(2), process.env, hostname());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`iter8-controller: ${error.message}\n`);
  process.exit(2);
}
if (request.kind === "help") {
  process.stdout.write(request.text);
  process.exit(0);
}

const config = request.config;
const logger = pino({ level: config.logLevel, base: { component: "iter8-controller", identity: config.identity } });
let running;
try {
  running = await startController(config, { logger });
} catch (error) {
  logger.fatal({ err: error }, `cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

let signalled = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (signalled) {
    logger.warn({ signal }, "second signal: exiting without waiting");
    process.exit(1);
  }
  signalled = true;
  logger.info({ signal }, "shutting down");
  running.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

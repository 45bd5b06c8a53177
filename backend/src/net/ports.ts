/**
 * Start-up checks of the TCP ports a process is about to listen on, so a port that is taken stops start-up with a
 * message naming the port and the setting that moves it, instead of a stack trace from deep inside a server.
 */
import net from "node:net";
import { BaseError } from "../errors";

/** A port the process means to listen on, and the configuration variable that chooses it. */
export type PlannedPort = { port: number; variable: string; what: string; host?: string };

export class PortInUseError extends BaseError {
  override name = "PortInUseError";
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { code: "PORT_IN_USE", retryable: false, details });
  }
}

/** True when nothing can bind `host:port` right now (it is taken, or not ours to take). */
export async function portTaken(port: number, host = "127.0.0.1"): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/** One line per port in use, e.g. `port 3000 (PORT, the API) is already in use`. */
export function describeTakenPort(planned: PlannedPort, error: NodeJS.ErrnoException): string {
  const where = `port ${planned.port} on ${planned.host ?? "127.0.0.1"} (${planned.variable}, ${planned.what})`;
  if (error.code === "EADDRINUSE") return `${where} is already in use: stop what holds it, or set ${planned.variable} to a free port`;
  return `${where} cannot be used (${error.code ?? error.message}): set ${planned.variable} to another port`;
}

/** Checks every planned port and throws one PortInUseError naming each one that cannot be bound. */
export async function ensurePortsFree(planned: PlannedPort[]): Promise<void> {
  const problems: string[] = [];
  for (const entry of planned) {
    const error = await portTaken(entry.port, entry.host);
    if (error !== undefined) problems.push(describeTakenPort(entry, error));
  }
  if (problems.length === 0) return;
  const list = problems.map((problem) => `\n  - ${problem}`).join("");
  throw new PortInUseError(`Cannot start, ${problems.length === 1 ? "a port is" : "ports are"} not free:${list}`, {
    ports: planned.map((entry) => entry.port),
  });
}

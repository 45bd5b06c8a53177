// Debug helper (not a test): starts the platform and keeps it until /tmp/webdbg/stop exists.
import fs from "node:fs";
import { startPlatformProcess } from "../../backend/support/platformProcess";
void (async () => {
  const platform = await startPlatformProcess();
  fs.writeFileSync("/tmp/webdbg/platform.json", JSON.stringify({ api: platform.api, rpc: platform.rpc, key: platform.operatorKey(), verra: platform.simulatorUrl("VERRA") }));
  while (!fs.existsSync("/tmp/webdbg/stop")) await new Promise((r) => setTimeout(r, 1000));
  await platform.stop();
  process.exit(0);
})();

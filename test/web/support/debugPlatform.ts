// For working on the browser suite (not a test): starts the platform, writes /tmp/webdbg/platform.json for
// WEB_TEST_ATTACH=/tmp/webdbg/platform.json npx mocha --config test/web/.mocharc.json, and stops when /tmp/webdbg/stop exists.
import fs from "node:fs";
import { startPlatformProcess } from "../../support/platformProcess";
void (async () => {
  const platform = await startPlatformProcess();
  fs.writeFileSync("/tmp/webdbg/platform.json", JSON.stringify({ api: platform.api, rpc: platform.rpc, key: platform.operatorKey(), verra: platform.simulatorUrl("VERRA") }));
  while (!fs.existsSync("/tmp/webdbg/stop")) await new Promise((r) => setTimeout(r, 1000));
  await platform.stop();
  process.exit(0);
})();

#!/usr/bin/env node
// The `carbon` command: operator and auditor CLI. Runs the TypeScript sources through ts-node (transpile only).
const path = require("node:path");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("../backend/src/cli/main.ts").main(process.argv);

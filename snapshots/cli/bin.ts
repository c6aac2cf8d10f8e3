#!/usr/bin/env node
// The `snapbench` command (package.json bin → dist/cli/snapbench.js after `npm run build`).
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));

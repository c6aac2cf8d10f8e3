#!/usr/bin/env node
// Entry point of `npx snapbench`: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../snapshots/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

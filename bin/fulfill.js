#!/usr/bin/env node
// The `fulfill` command. It runs the built code (npm install builds it through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('fulfill: the build is missing; run `npm run build` (npm install does it too)');
  process.exit(1);
}
await import(entry.href);

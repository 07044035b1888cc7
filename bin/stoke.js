#!/usr/bin/env node
// The CLI is compiled by `npm install` (the prepare script); say so plainly if that step was skipped.
try {
  require.resolve('../dist/src/cli/cli.js');
} catch {
  console.error('stoke is not built yet: run `npm install` (or `npm run build`) in the stoke folder first.');
  process.exit(1);
}
require('../dist/src/cli/cli.js');

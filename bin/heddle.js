#!/usr/bin/env node
'use strict';
// The `heddle` command. The work lives in dist/cli/main.js, compiled from src-ts/cli/.
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });

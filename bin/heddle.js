#!/usr/bin/env node
'use strict';
// The `heddle` command. The work lives in dist/cli/main.js, compiled from src-ts/cli/.
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      // A failure the command did not turn into an exit code: one line, with the code when it has one.
      process.stderr.write(`heddle: ${error && error.code ? `${error.code}: ` : ''}${error && error.message ? error.message : error}\n`);
      process.exitCode = 1;
    },
  );

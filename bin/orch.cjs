#!/usr/bin/env node
// CommonJS on purpose: the ESM loader costs milliseconds of every run (see src/cli/main.ts).
'use strict';
require('../dist/cli.cjs');

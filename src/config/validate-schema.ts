// Layer 1 of validation (SPEC §3): the JSON Schema, compiled ahead of time by scripts/build.mjs.
import validateEcosystem from '../generated/validate-ecosystem.cjs';
import type { Problem } from './diagnostics.js';
import { schemaProblems } from './schema-errors.js';

export const validateSchema = (value: unknown): Problem[] =>
  validateEcosystem(value) ? [] : schemaProblems(validateEcosystem.errors ?? []);

// One entry per target of `orch export`.
import { exportCompose } from './compose.js';
import type { ExportInput, ExportResult, ExportTarget } from './input.js';
import { exportKubernetes } from './kubernetes.js';
import { exportSystemd } from './systemd.js';

export const EXPORTERS: Readonly<Record<ExportTarget, (input: ExportInput) => ExportResult>> = {
  kubernetes: exportKubernetes,
  systemd: exportSystemd,
  compose: exportCompose,
};

export const EXPORT_TARGETS = Object.keys(EXPORTERS) as ExportTarget[];

import { execFileSync } from 'node:child_process';

// e2e tests run the built binary; build once per test run (esbuild: well under a second).
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

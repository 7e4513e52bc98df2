/**
 * The package as a consumer installs it: `npm run build`, `npm pack`, and the tarball installed into a
 * fresh copy of the consumer app (`test/consumer/app`). Used by the consumer test and the strict-CSP test.
 */

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Build and pack the package into `work` (emptied first) and install it into `work/app`; return that app's folder. */
export function installPackedPackage(work: string): string {
  const app = join(work, 'app');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  cpSync(join(import.meta.dirname, 'app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `../${tarball}`], { cwd: app, stdio: 'pipe' });
  return app;
}

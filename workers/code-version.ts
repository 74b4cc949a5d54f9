import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `tessera@<package version>`, recorded in every manifest so outputs can be traced to the code that made them. */
export function codeVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
    return `${pkg.name}@${pkg.version}`;
  } catch {
    return 'tessera@unknown';
  }
}

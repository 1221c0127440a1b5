// Files that ship at the package root (build/, graphql/, openapi/): found from this module, which
// sits one folder below the root in the sources (src/) and two in the build (dist/src/).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function packageFile(relative: string, hint: string): string {
  for (const up of ["../", "../../"]) {
    const path = fileURLToPath(new URL(up + relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`profile-store: ${relative} not found next to the package; ${hint}`);
}

import { SECRET_LIKE, SECRET_NAME } from '../grammar.js';
import type { ManifestFile } from '../schema.js';
import { toSecretName } from '../suggest.js';
import type { PathSegment, Problem } from '../problem.js';

/**
 * Secrets reach BuildKit as `--secret id=NAME,src=FILE` (or `env=NAME`), so their names are environment-variable
 * names. Build args end up in the image history, so anything that looks like a credential must
 * be a secret instead.
 */
export function secretProblems(raw: ManifestFile): Problem[] {
  const sections: Array<{ at: PathSegment[]; secrets?: string[] | null; buildArgs?: Record<string, unknown> | null }> =
    [
      { at: ['defaults'], ...raw.defaults },
      ...Object.entries(raw.services).map(([name, entry]) => ({ at: ['services', name], ...entry })),
    ];
  return sections.flatMap(({ at, secrets, buildArgs }) => [
    ...(secrets ?? []).flatMap((secret, i) =>
      SECRET_NAME.test(secret) ? [] : [{ path: [...at, 'secrets', i], message: secretNameMessage(secret) }],
    ),
    ...Object.keys(buildArgs ?? {})
      .filter((arg) => SECRET_LIKE.test(arg))
      .map((arg) => ({
        path: [...at, 'buildArgs', arg],
        at: 'key' as const,
        message: `build arg "${arg}" looks like a secret: pass it as a secret, not a build arg (move it to secrets: [${arg}]; build args are stored in the image history)`,
      })),
  ]);
}

function secretNameMessage(secret: string): string {
  const suggestion = toSecretName(secret);
  const rename = SECRET_NAME.test(suggestion) ? `: rename to "${suggestion}"` : '';
  return `secret names are environment-variable names (letters, digits and "_", not starting with a digit), got "${secret}"${rename}`;
}

/**
 * The one error of this lib: the manifest's registry cannot be wired into the asked-for cluster
 * kind as it stands. The message repeats the bad value and says what to change.
 */
export class ClusterConfigError extends Error {
  override readonly name = 'ClusterConfigError';
}

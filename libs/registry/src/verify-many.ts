/**
 * Verifying a batch of images at once: `concurrency` images walk at the same time; their blob
 * HEADs share the client's blob limiter, so the registry sees a bounded number in flight.
 */
import pLimit from 'p-limit';
import type { RegistryClient } from './client.js';
import type { VerifyResult } from './verify-result.js';

export interface VerifyItem {
  repo: string;
  /** Tag or digest. */
  ref: string;
  expectedDigest?: string;
}

export interface VerifyImagesOptions {
  /** Images walked at once. @default 8 */
  concurrency?: number;
}

/** One result per item, in the order given. */
export async function verifyImages(
  client: Pick<RegistryClient, 'verify'>,
  items: readonly VerifyItem[],
  { concurrency = 8 }: VerifyImagesOptions = {},
): Promise<VerifyResult[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    items.map((item) =>
      limit(() =>
        client.verify(
          item.repo,
          item.ref,
          item.expectedDigest !== undefined ? { expectedDigest: item.expectedDigest } : {},
        ),
      ),
    ),
  );
}

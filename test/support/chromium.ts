/** Debian's chromium, headless, on a local file: a screenshot and the DOM it built. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';

export const CHROMIUM = process.env['IMAGEFLEET_CHROMIUM'] ?? 'chromium';

export async function renderPage(file: string, size = '1280,900'): Promise<{ png: Buffer; dom: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'imagefleet-chromium-'));
  const url = pathToFileURL(file).href;
  // No network for the page: a fetch it tried would fail, and the DOM check names it.
  const base = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    `--user-data-dir=${profile}`,
    '--host-resolver-rules=MAP * ~NOTFOUND',
  ];
  try {
    const shot = join(profile, 'page.png');
    await execa(CHROMIUM, [...base, `--screenshot=${shot}`, `--window-size=${size}`, url], { timeout: 90_000 });
    const dump = await execa(CHROMIUM, [...base, '--dump-dom', url], { timeout: 90_000 });
    return { png: readFileSync(shot), dom: dump.stdout };
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      throw new Error(`${CHROMIUM} not found: install Debian's chromium (bash tools/dev-env/up.sh does)`);
    throw error;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

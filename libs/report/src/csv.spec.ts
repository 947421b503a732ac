import { describe, expect, it } from 'vitest';
import { CSV_HEADERS, parseCsv, renderCsv } from './csv.js';
import { normaliseRow } from './row.js';
import { makeRow } from './fixtures/rows.js';

const HEADER =
  'run_id,service,image,status,phase,attempts,build_seconds,push_seconds,verify_seconds,digest,verify,log,error,started_at,finished_at,note,tags';

/** The `error` cell as rendered: the 13th field of the only data line. */
async function errorCell(error: string): Promise<string> {
  const text = await renderCsv([makeRow({ error, digest: '', verify: '' })]);
  const line = text.split('\n')[1]!;
  const end = line.length - ',2025-01-02T03:04:05.000Z,2025-01-02T03:05:00.000Z,,'.length;
  return line.slice(
    'run-1,api,localhost:5001/ameide/api:dev,pushed,,1,12.50,3.25,0.40,,,artifacts/image-build-logs/api_dev.log,'
      .length,
    end,
  );
}

describe('renderCsv', () => {
  it('writes the snake_case header in the documented order', async () => {
    expect(CSV_HEADERS.join(',')).toBe(HEADER);
    expect(await renderCsv([])).toBe(`${HEADER}\n`);
  });

  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['denied: a, b and c', '"denied: a, b and c"'],
    ['say "hi"', '"say ""hi"""'],
    ['first line\nsecond line', 'first line second line'],
    ['  indented \r\n\r\n   next\tline  ', 'indented next\tline'],
    ['a,"b"\nc', '"a,""b"" c"'],
  ])('error %j is written as %s', async (error, cell) => {
    expect(await errorCell(error)).toBe(cell);
  });

  it.each([
    [0, '0.00'],
    [2.5, '2.50'],
    [3.14159, '3.14'],
    [59.999, '60.00'],
    [1234, '1234.00'],
  ])('seconds %s are written as %s', async (buildSeconds, cell) => {
    const line = (await renderCsv([makeRow({ buildSeconds })])).split('\n')[1]!;
    expect(line.split(',')[6]).toBe(cell);
  });

  it('writes one line per row whatever the error holds', async () => {
    const rows = [makeRow({ service: 'a', error: 'x\ny\nz' }), makeRow({ service: 'b', error: 'p\r\nq' })];
    const lines = (await renderCsv(rows)).split('\n');
    expect(lines).toHaveLength(4); // header, two rows, '' after the final newline
    expect(lines[3]).toBe('');
  });
});

describe('parseCsv', () => {
  it('round-trips rows with commas, quotes and newlines', async () => {
    const rows = [
      makeRow({
        service: 'api',
        status: 'failed',
        phase: 'push',
        error: 'push failed: "unauthorized", retry 3/3,\ngiving up',
      }),
      makeRow({
        service: 'web',
        status: 'interrupted',
        phase: 'build',
        attempts: 0,
        digest: '',
        verify: '',
        finishedAt: '',
      }),
      makeRow({ service: 'www', error: ',,"",\\' }),
    ];
    expect(await parseCsv(await renderCsv(rows))).toEqual(rows.map(normaliseRow));
  });

  it('rejects a different header, saying which one it expected', async () => {
    await expect(parseCsv('service,status\napi,pushed\n')).rejects.toThrow(`expected the header "${HEADER}"`);
  });

  it('rejects an invalid row, naming the row and the field', async () => {
    const text = (await renderCsv([makeRow()])).replace(',pushed,', ',done,');
    await expect(parseCsv(text, 'build-summary-dev.csv')).rejects.toThrow(/build-summary-dev\.csv row 1: status/);
  });

  it('rejects a row with a missing field', async () => {
    const text = `${HEADER}\nrun-1,api\n`;
    await expect(parseCsv(text)).rejects.toThrow('row 1: expected 17 fields, got 2');
  });

  it('round-trips the note; a summary of another layout is refused, naming the header it expects', async () => {
    const noted = makeRow({
      note: 'reference host not checked: k3d-nope.localhost does not resolve, from this machine',
    });
    expect(await parseCsv(await renderCsv([noted]))).toEqual([noted]);
    const legacy = (await renderCsv([makeRow()])).replace(/,tags\n/, '\n').replace(/,\n$/, '\n');
    await expect(parseCsv(legacy)).rejects.toThrow(`expected the header "${CSV_HEADERS.join(',')}"`);
  });

  it('round-trips the tags', async () => {
    const tagged = makeRow({ tags: 'dev dev-9fceb02-1700000100 content-0123' });
    expect(await parseCsv(await renderCsv([tagged]))).toEqual([tagged]);
  });
});

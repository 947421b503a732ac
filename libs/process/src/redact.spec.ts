import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { runCommand } from './run.js';

const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  '  q3Zk9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'abc',
  '-----END PRIVATE KEY-----',
].join('\n');

describe('createRedactor: multi-line values', () => {
  it('masks every line of a multi-line secret a child prints, line by line', async () => {
    const lines: string[] = [];
    // What a `RUN cat /run/secrets/key` does: the value comes out one line at a time.
    const r = await runCommand('sh', ['-c', 'printf "#5 %s\\n" "$KEY"; echo done'], {
      env: { KEY: PEM },
      redact: createRedactor([PEM]),
      onLine: (line) => lines.push(line),
    });
    expect(r.ok).toBe(true);
    const shown = lines.join('\n');
    for (const line of PEM.split('\n').filter((l) => l.trim().length >= 4)) expect(shown).not.toContain(line.trim());
    expect(lines).toContain('#5 ***');
    expect(lines).toContain('done');
    expect(r.stdout).not.toContain('MIIEvQ');
  });

  it('leaves lines under four characters of a multi-line value alone (masking them would mangle output)', () => {
    const redact = createRedactor([PEM]);
    expect(redact('abc def')).toBe('abc def');
    expect(redact('key: q3Zk9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj')).toBe('key: ***');
  });

  it('still masks the whole value, its URL encoding and its base64', () => {
    const redact = createRedactor([PEM]);
    expect(redact(`a ${PEM} b`)).not.toContain('PRIVATE');
    expect(redact(encodeURIComponent(PEM))).toBe('***');
    expect(redact(Buffer.from(PEM).toString('base64'))).toBe('***');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRecord, type CsvSyntaxProblem, formatCsvRecord, parseCsv } from './csv-parser';

/** Parses `text` fed in pieces cut at `cuts`. */
function parseInPieces(text: string, cuts: number[], delimiter = ','): ReturnType<typeof parseCsv> {
  const records: CsvRecord[] = [];
  const problems: CsvSyntaxProblem[] = [];
  const parser = new CsvParser(delimiter, {
    record: (r) => records.push(r),
    problem: (p) => problems.push(p),
  });
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(text.slice(from, cut));
    from = Math.max(from, cut);
  }
  parser.push(text.slice(from));
  parser.end();
  return { records, problems };
}

const cellChars = fc.constantFrom('a', 'b', '1', '.', ' ', ',', ';', '"', '\n', '\r', 'é', '\t');
const cell = fc.array(cellChars, { maxLength: 8 }).map((cs) => cs.join(''));
const record = fc.array(cell, { minLength: 1, maxLength: 6 });
const table = fc.array(record, { minLength: 0, maxLength: 12 });

describe('CSV parser', () => {
  it('reads quoted fields with doubled quotes, delimiters and line breaks inside', () => {
    const { records, problems } = parseCsv('a,"b,""c""\nd",e\r\n1,2,3\n');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { fields: ['a', 'b,"c"\nd', 'e'], line: 1 },
      { fields: ['1', '2', '3'], line: 3 },
    ]);
  });

  it('skips empty lines, keeps empty fields and reads a last line without a line end', () => {
    const { records } = parseCsv('\n,x,\n\n""\ny');
    expect(records).toEqual([
      { fields: ['', 'x', ''], line: 2 },
      { fields: [''], line: 4 },
      { fields: ['y'], line: 5 },
    ]);
  });

  it('reports a malformed record with its line and column and goes on with the next', () => {
    const { records, problems } = parseCsv('a,b"c,d\n"x"y,z\nok,1\n"never closed\n');
    expect(records).toEqual([{ fields: ['ok', '1'], line: 3 }]);
    expect(problems).toEqual([
      {
        line: 1,
        column: 4,
        reason: 'a quote inside an unquoted field (quote the whole field and double inner quotes)',
        text: 'a,b"c,d',
      },
      { line: 2, column: 4, reason: 'text after the closing quote of a field', text: '"x"y,z' },
      { line: 4, column: 1, reason: 'the quote opened at line 4 is never closed', text: '"never closed\n' },
    ]);
  });

  it('refuses a delimiter that cannot work', () => {
    expect(() => new CsvParser('"', { record() {}, problem() {} })).toThrow(/delimiter/);
    expect(() => new CsvParser(',,', { record() {}, problem() {} })).toThrow(/delimiter/);
  });

  it('round-trips any table through format and parse (property)', () => {
    fc.assert(
      fc.property(
        table,
        fc.constantFrom(',', ';', '\t', '|'),
        fc.constantFrom('\n', '\r\n'),
        (rows, d, eol) => {
          const text = rows.map((r) => formatCsvRecord(r, d)).join(eol);
          const { records, problems } = parseCsv(text, d);
          expect(problems).toEqual([]);
          // A record of one empty field is written quoted, so every record survives.
          expect(records.map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });

  it('gives the same records and lines however the text is split into chunks (property)', () => {
    const anyText = fc
      .array(fc.constantFrom('a', ',', '"', '\n', '\r', 'x', ' '), { maxLength: 60 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(anyText, fc.array(fc.nat(60), { maxLength: 8 }), (text, cuts) => {
        expect(parseInPieces(text, cuts)).toEqual(parseCsv(text));
      }),
    );
  });

  it('numbers records by the line they start on, counting line breaks inside quotes (property)', () => {
    fc.assert(
      fc.property(table, (rows) => {
        const text = rows.map((r) => formatCsvRecord(r)).join('\n');
        const { records } = parseCsv(text);
        let line = 1;
        for (let i = 0; i < rows.length; i++) {
          expect(records[i]?.line).toBe(line);
          line += formatCsvRecord(rows[i] as string[]).split(/\r\n|\r|\n/).length;
        }
      }),
    );
  });

  it('never throws and accounts for every non-empty line on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const { records, problems } = parseCsv(text);
        for (const r of [...records, ...problems]) expect(r.line).toBeGreaterThanOrEqual(1);
        // Without quotes every non-empty line is exactly one record.
        if (!text.includes('"')) {
          const lines = text.split(/\r\n|\r|\n/).filter((l) => l !== '');
          expect(records.map((r) => r.fields.join(','))).toEqual(lines);
          expect(problems).toEqual([]);
        }
      }),
    );
  });
});

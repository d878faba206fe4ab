/**
 * `tapewatch report CASE_ID --format md|html|json`: a case file or a STOR record on stdout
 * (or `--out FILE`).
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../../cases/report';
import { openCaseStore } from '../../cases/store/open-store';
import { CaseService } from '../../service/case-service';
import { type CliIo, UsageError } from '../io';

/** Options of {@link runReport}. */
export interface ReportCommandOptions {
  caseId: string;
  format?: string;
  db?: string;
  out?: string;
  /** Reporting entity named in the report. */
  entity?: string;
}

/** Writes the report; returns the exit code. */
export async function runReport(options: ReportCommandOptions, io: CliIo): Promise<number> {
  const format = options.format ?? 'md';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format expects one of ${REPORT_FORMATS.join(', ')}, got '${format}'`);
  }
  const service = await CaseService.open({ store: await openCaseStore(options.db) });
  try {
    const c = await service.get(options.caseId);
    const text = renderReport(
      c,
      format as ReportFormat,
      options.entity === undefined ? {} : { entity: { name: options.entity } },
    );
    if (options.out === undefined) io.out(text);
    else {
      writeFileSync(options.out, text);
      io.err(`wrote ${options.out}\n`);
    }
    return 0;
  } finally {
    await service.close();
  }
}

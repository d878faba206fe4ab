/**
 * Builds and drives the QuickFIX/C++ initiator in `quickfix/init.cpp` (Debian's
 * libquickfix-dev, installed by scripts/setup-test-deps.sh). The binary is cached by the
 * hash of its source, so only the first test run of a machine pays for the compile.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'quickfix', 'init.cpp');

/** jspurefix's copy of QuickFIX's FIX 4.4 dictionary: both ends validate against the same file. */
export const FIX44_XML = join(
  dirname(createRequire(import.meta.url).resolve('jspurefix/package.json')),
  'data',
  'FIX44.xml',
);

/** True when the QuickFIX headers and a C++ compiler are installed. */
export function quickfixAvailable(): boolean {
  try {
    execFileSync('pkg-config', ['--exists', 'quickfix']);
    execFileSync('g++', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Compiles the initiator once per source version; returns the binary's path. */
export function buildInitiator(): string {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'tapewatch-quickfix');
  const binary = join(dir, `init-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'quickfix'], { encoding: 'utf8' })
    .trim()
    .split(/\s+/);
  const partial = `${binary}.${process.pid}.tmp`;
  execFileSync('g++', ['-std=c++14', '-O2', '-w', SOURCE, ...flags, '-lpthread', '-o', partial], {
    stdio: 'inherit',
  });
  renameSync(partial, binary);
  return binary;
}

/** A running initiator. */
export class QuickFixInitiator {
  readonly lines: string[] = [];
  private pending = '';
  private waiters: { line: string; resolve: () => void; from: number }[] = [];
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.pending += chunk;
      let nl = this.pending.indexOf('\n');
      while (nl >= 0) {
        this.lines.push(this.pending.slice(0, nl));
        this.pending = this.pending.slice(nl + 1);
        nl = this.pending.indexOf('\n');
      }
      this.waiters = this.waiters.filter((w) => {
        if (this.lines.indexOf(w.line, w.from) >= 0) {
          w.resolve();
          return false;
        }
        return true;
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.lines.push(`stderr: ${chunk.trim()}`));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * Starts the initiator against `port`, with its own FileStore directory (`dir`, reused
   * across starts to continue the sequence).
   */
  static start(options: {
    binary: string;
    port: number;
    sender: string;
    target: string;
    dir?: string;
    heartBtInt?: number;
    /** QuickFIX's NullStore: nothing kept for resends (throughput runs only). */
    nullStore?: boolean;
  }): QuickFixInitiator {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tw-qf-'));
    const settings = join(dir, 'initiator.cfg');
    writeFileSync(
      settings,
      [
        '[DEFAULT]',
        'ConnectionType=initiator',
        'ReconnectInterval=1',
        `FileStorePath=${join(dir, 'store')}`,
        'StartTime=00:00:00',
        'EndTime=00:00:00',
        'UseDataDictionary=Y',
        `DataDictionary=${FIX44_XML}`,
        `HeartBtInt=${options.heartBtInt ?? 30}`,
        'ResetOnLogon=N',
        'ResetOnLogout=N',
        'ResetOnDisconnect=N',
        '[SESSION]',
        'BeginString=FIX.4.4',
        `SenderCompID=${options.sender}`,
        `TargetCompID=${options.target}`,
        'SocketConnectHost=127.0.0.1',
        `SocketConnectPort=${options.port}`,
        '',
      ].join('\n'),
    );
    const args = options.nullStore ? [settings, 'null-store'] : [settings];
    return new QuickFixInitiator(spawn(options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Resolves when `line` has been printed (at or after index `from`). */
  async waitLine(line: string, from = 0, timeoutMs = 20_000): Promise<void> {
    if (this.lines.indexOf(line, from) >= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `initiator did not print ${line} within ${timeoutMs} ms; output: ${this.lines.join(' | ')}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        line,
        from,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Sends a command and waits for its `OK`. */
  async command(line: string, timeoutMs = 20_000): Promise<void> {
    const from = this.lines.length;
    this.child.stdin.write(`${line}\n`);
    await this.waitLine(`OK ${line.split(' ')[0]}`, from, timeoutMs);
  }

  /** Quits and waits for the process to end. */
  async quit(): Promise<void> {
    if (this.child.exitCode === null) this.child.stdin.write('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

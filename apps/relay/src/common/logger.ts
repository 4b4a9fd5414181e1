import { type LoggerService } from '@nestjs/common';

/**
 * The relay's only way to print. With LOGGING=0 every method is a no-op, so zero bytes reach
 * stdout or stderr (non-negotiable 1). Callers pass fixed messages and counts, never room ids,
 * tokens, client ids, IPs or payloads: there is deliberately no structured "context" argument in
 * which such a value could slip through.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly enabled: boolean) {}

  log(message: string): void {
    if (this.enabled) process.stdout.write(`${new Date().toISOString()} info  ${message}\n`);
  }

  warn(message: string): void {
    if (this.enabled) process.stderr.write(`${new Date().toISOString()} warn  ${message}\n`);
  }

  error(message: string): void {
    if (this.enabled) process.stderr.write(`${new Date().toISOString()} error ${message}\n`);
  }

  // Nest's own framework messages (route mapping, module init) are noise for operators.
  debug(): void {}
  verbose(): void {}
  fatal(message: string): void {
    this.error(message);
  }
}

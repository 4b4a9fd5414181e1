import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClientFrameType,
  CloseCode,
  CodeClientFrameType,
  CodeServerFrameType,
  FrameErrorCode,
  ServerFrameType,
  isRetryableClose,
} from '@nullroom/protocol';
import type { Response } from 'express';
import { CONFIG_DEFAULTS, loadConfig } from '../src/config/config';
import { RelayErrorCode, toHttpStatus, toWsClose } from '../src/common/relay.exception';
import { HealthController } from '../src/http/health.controller';
import { type DrainService } from '../src/lifecycle/drain.service';
import { type OwnershipService } from '../src/ownership/ownership.service';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** docs/ must stay true: every setting, close code, frame and error code the code has is documented. */
const docs = (name: string) => readFileSync(join(__dirname, '../../../docs', name), 'utf8');

describe('docs match the code', () => {
  it('operations.md lists every setting with its default', () => {
    const ops = docs('operations.md');
    for (const [name, value] of Object.entries(CONFIG_DEFAULTS)) {
      // An empty default is "(empty)" or derived from other settings (POD_NAME: the host name).
      const shown = value === '' ? '[^|]+' : `\`${escape(value)}\``;
      expect(ops).toMatch(new RegExp(`^\\|\\s*\`${name}\`\\s*\\|\\s*${shown}\\s*\\|`, 'm'));
    }
  });

  it('protocol.md lists every close code, frame type and error code', () => {
    const protocol = docs('protocol.md');
    for (const code of Object.values(CloseCode)) {
      expect(protocol).toMatch(new RegExp(`^\\|\\s*${code}\\s*\\|`, 'm'));
    }
    for (const type of [
      ...Object.values(ServerFrameType),
      ...Object.values(ClientFrameType),
      ...Object.values(CodeServerFrameType),
      ...Object.values(CodeClientFrameType),
    ]) {
      expect(protocol).toContain(`\`0x${type.toString(16).padStart(2, '0')}\``);
    }
    for (const code of Object.values(FrameErrorCode)) expect(protocol).toContain(`\`${code}\``);
    for (const code of Object.values(RelayErrorCode)) {
      // WebSocket only: MAX_CONNECTIONS, and a room owner that doesn't answer (close 1013).
      if (code === RelayErrorCode.ServerFull || code === RelayErrorCode.OwnerUnreachable) continue;
      if (
        code === RelayErrorCode.RoomFull ||
        code === RelayErrorCode.RoomDestroyed ||
        code === RelayErrorCode.DuplicateClientId ||
        code === RelayErrorCode.CodeNoVerifier ||
        code === RelayErrorCode.CodeBusy
      )
        continue; // WebSocket only
      expect(protocol).toMatch(
        new RegExp(`^\\|\\s*${toHttpStatus(code)}\\s*\\|.*\`${code}\``, 'm'),
      );
    }
  });

  it('operations.md lists the settings in the order config.ts reads them (its three tables)', () => {
    const documented = [...docs('operations.md').matchAll(/^\| `([A-Z][A-Z0-9_]+)`\s*\|/gm)].map(
      ([, name]) => name,
    );
    expect(documented).toEqual(Object.keys(CONFIG_DEFAULTS));
  });

  it("protocol.md's reconnect column says for every close code what isRetryableClose says", () => {
    const protocol = docs('protocol.md');
    // A fresh attempt can work, but whether to retry is the application's call (protocol.md
    // says so below the table): 4003, 4409, 4429, and the code-room SDK's 4440 and 4444.
    const leftToTheApp = new Set<number>([
      CloseCode.SLOW_CONSUMER,
      CloseCode.DUPLICATE_CLIENT_ID,
      CloseCode.RATE_LIMITED,
      CloseCode.CODE_NO_VERIFIER,
      CloseCode.CODE_BUSY,
    ]);
    const said = /isRetryableClose\(\)[^;]*; ([^;]*?) are left to the\s+application/.exec(protocol);
    expect(said).not.toBeNull();
    for (const code of [...Object.values(CloseCode), 1006]) {
      const row = new RegExp(`^\\|\\s*${code}\\s*\\|.*\\|\\s*([^|]+?)\\s*\\|$`, 'm').exec(protocol);
      expect([code, row !== null]).toEqual([code, true]);
      const says = row![1]!;
      if (leftToTheApp.has(code)) continue;
      expect([code, says.startsWith('yes')]).toEqual([code, isRetryableClose(code)]);
    }
  });

  it('every WebSocket refusal of the relay has its close code documented with its cause', () => {
    const protocol = docs('protocol.md');
    const causes: Partial<Record<RelayErrorCode, RegExp>> = {
      [RelayErrorCode.OwnerUnreachable]: /owner pod is alive but did not answer/,
      [RelayErrorCode.ServerFull]: /MAX_CONNECTIONS/,
      [RelayErrorCode.Draining]: /drain/,
      [RelayErrorCode.RoomNotFound]: /no room with that id/,
    };
    for (const [code, cause] of Object.entries(causes)) {
      const close = toWsClose(code as RelayErrorCode);
      const row = new RegExp(`^\\|\\s*${close}\\s*\\|.*$`, 'm').exec(protocol)?.[0] ?? '';
      expect([code, close, cause.test(row)]).toEqual([code, close, true]);
    }
  });

  it('the documented /ready body has every field /ready answers', () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const health = new HealthController(
      loaded.config,
      { draining: false } as DrainService,
      { health: () => ({ backend: 'memory', state: 'up', sinceMs: 0 }) } as OwnershipService,
    );
    const body = health.ready({ status: () => undefined } as unknown as Response);
    const documented = JSON.stringify(body);
    for (const file of ['operations.md', 'protocol.md']) expect(docs(file)).toContain(documented);
  });
});

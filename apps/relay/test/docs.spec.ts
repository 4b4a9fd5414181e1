import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloseCode, FrameErrorCode, ServerFrameType, ClientFrameType } from '@nullroom/protocol';
import { CONFIG_DEFAULTS } from '../src/config/config';
import { RelayErrorCode, toHttpStatus } from '../src/common/relay.exception';

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
    for (const type of [...Object.values(ServerFrameType), ...Object.values(ClientFrameType)]) {
      expect(protocol).toContain(`\`0x${type.toString(16).padStart(2, '0')}\``);
    }
    for (const code of Object.values(FrameErrorCode)) expect(protocol).toContain(`\`${code}\``);
    for (const code of Object.values(RelayErrorCode)) {
      // WebSocket only: MAX_CONNECTIONS, and a room owner that doesn't answer (close 1013).
      if (code === RelayErrorCode.ServerFull || code === RelayErrorCode.OwnerUnreachable) continue;
      if (
        code === RelayErrorCode.RoomFull ||
        code === RelayErrorCode.RoomDestroyed ||
        code === RelayErrorCode.DuplicateClientId
      )
        continue; // WebSocket only
      expect(protocol).toMatch(
        new RegExp(`^\\|\\s*${toHttpStatus(code)}\\s*\\|.*\`${code}\``, 'm'),
      );
    }
  });
});

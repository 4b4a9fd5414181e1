import { parseArgs } from 'node:util';

export const USAGE = `nullroom — end-to-end encrypted chat through a Nullroom relay

  nullroom create --url <relay> --api-key <key> [--mode p2p|support]
      Creates a room (POST /rooms) and prints the command others use to join it.

  nullroom chat --url <relay> --room <roomId> [--token=<joinToken>] [--name <clientId>]
                [--identity <file>] [--save-dir <dir>] [--receipts] [--api-key <key>]
      Joins the room and chats. Lines you type are sent; commands:
        /file <path>   send a file          /who   members and safety numbers
        /fp            group fingerprint    /quit  leave

  --identity <file>  keeps this device's signing key (a 32-byte seed, created 0600 if absent) so
                     your safety numbers stay the same across runs; without it each run is new.
  Environment: NULLROOM_URL, NULLROOM_API_KEY, NULLROOM_TOKEN stand in for the flags.
`;

export type Command =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'create';
      readonly url: string;
      readonly apiKey?: string;
      readonly mode: 'p2p' | 'support';
    }
  | {
      readonly kind: 'chat';
      readonly url: string;
      readonly roomId: string;
      readonly joinToken?: string;
      readonly clientId?: string;
      readonly identityFile?: string;
      readonly saveDir?: string;
      readonly receipts: boolean;
      readonly apiKey?: string;
    };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Command {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h')
    return { kind: 'help' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        mode: { type: 'string' },
        room: { type: 'string' },
        token: { type: 'string' },
        name: { type: 'string' },
        identity: { type: 'string' },
        'save-dir': { type: 'string' },
        receipts: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const url = str('url') ?? env.NULLROOM_URL;
  if (!url) throw new UsageError('--url is required (or NULLROOM_URL)');
  const apiKey = str('api-key') ?? env.NULLROOM_API_KEY;
  switch (verb) {
    case 'create': {
      const mode = str('mode') ?? 'p2p';
      if (mode !== 'p2p' && mode !== 'support')
        throw new UsageError('--mode must be p2p or support');
      return { kind: 'create', url, mode, ...(apiKey ? { apiKey } : {}) };
    }
    case 'chat': {
      const roomId = str('room');
      if (!roomId) throw new UsageError('--room is required');
      const joinToken = str('token') ?? env.NULLROOM_TOKEN;
      const optional = {
        ...(joinToken ? { joinToken } : {}),
        ...(str('name') ? { clientId: str('name') } : {}),
        ...(str('identity') ? { identityFile: str('identity') } : {}),
        ...(str('save-dir') ? { saveDir: str('save-dir') } : {}),
        ...(apiKey ? { apiKey } : {}),
      };
      return { kind: 'chat', url, roomId, receipts: values.receipts === true, ...optional };
    }
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}

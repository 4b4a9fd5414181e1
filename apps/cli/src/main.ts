import { createRoom } from '@nullroom/client';
import { parseCommand, USAGE, UsageError } from './args';
import { chat } from './chat';

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseCommand(argv, process.env);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'create': {
      const room = await createRoom(cmd.url, cmd.apiKey, cmd.mode);
      process.stdout.write(`roomId:    ${room.roomId}\n`);
      if (room.joinToken) process.stdout.write(`joinToken: ${room.joinToken}\n`);
      // --token=… because a base64url token may start with '-'.
      const token = room.joinToken ? ` --token=${room.joinToken}` : '';
      process.stdout.write(
        `join with: npx nullroom chat --url ${cmd.url} --room ${room.roomId}${token}\n`,
      );
      return 0;
    }
    case 'chat':
      return chat(cmd);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof UsageError ? `${error.message}\n\n${USAGE}` : `${(error as Error).message}\n`}`,
    );
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);

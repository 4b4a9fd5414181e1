import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Identity } from '@nullroom/e2ee';
import { NullroomClient } from '@nullroom/client';
import { type Command } from './args';
import { format } from './format';
import { loadIdentity } from './identity-file';

type ChatCommand = Extract<Command, { kind: 'chat' }>;

/** Runs an interactive chat until /quit, end of input, or the room closes. Returns the exit code. */
export async function chat(
  cmd: ChatCommand,
  input = process.stdin,
  output = process.stdout,
): Promise<number> {
  const identity = cmd.identityFile
    ? await loadIdentity(cmd.identityFile)
    : await Identity.generate();
  const client = new NullroomClient({
    url: cmd.url,
    roomId: cmd.roomId,
    identity,
    ...(cmd.joinToken ? { joinToken: cmd.joinToken } : {}),
    ...(cmd.clientId ? { clientId: cmd.clientId } : {}),
    ...(cmd.apiKey ? { apiKey: cmd.apiKey } : {}),
  });
  const rl: Interface = createInterface({ input, output, terminal: output.isTTY === true });
  rl.setPrompt('> ');
  const print = (line: string) => {
    if (output.isTTY) {
      output.write('\r\x1b[K');
      output.write(`${line}\n`);
      rl.prompt(true);
    } else {
      output.write(`${line}\n`);
    }
  };

  client.on('state', (s) => {
    if (s.state !== 'ready' && s.state !== 'keying') print(format.state(s.state, s.retryInMs));
  });
  client.on('presence', (p) => {
    if (p.event === 'joined') print(format.joined(p.clientId));
    if (p.event === 'left') print(format.left(p.clientId));
  });
  client.on('peer', (p) => print(format.peer(p.clientId, p.safetyNumber)));
  client.on('epoch', (e) => print(format.epoch(e.epoch, e.members, e.fingerprint)));
  client.on('message', (m) => {
    print(format.message(m.from, m.text));
    if (cmd.receipts) void client.markRead(m.id).catch(() => undefined);
  });
  client.on('typing', (t) => {
    if (t.active) print(format.typing(t.from));
  });
  client.on('read', (r) => print(format.read(r.from)));
  client.on('security', (s) => print(format.security(s.from, s.error.name, s.error.code)));
  client.on('file-offer', (f) =>
    print(format.fileOffer(f.from, f.offer.name, f.offer.size, f.offer.preview !== undefined)),
  );
  client.on('file', (f) => {
    void (async () => {
      let savedTo: string | undefined;
      if (cmd.saveDir) {
        await mkdir(cmd.saveDir, { recursive: true });
        savedTo = join(cmd.saveDir, `${f.fileId.slice(0, 8)}-${basename(f.name)}`);
        await writeFile(savedTo, f.data, { flag: 'wx' });
      }
      print(format.fileDone(f.from, f.name, f.data.byteLength, savedTo));
    })().catch((e: unknown) => print(`! could not save ${f.name}: ${(e as Error).message}`));
  });

  print(`* joining room ${cmd.roomId} as ${client.clientId}…`);
  try {
    await client.connect();
  } catch (error) {
    print(`! ${(error as Error).message}`);
    rl.close();
    return 1;
  }
  print(`* connected; end-to-end encrypted. Compare fingerprints out of band (/fp).`);
  rl.prompt();

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      client.close();
      rl.close();
      resolve(code);
    };
    client.on('closed', (c) => {
      print(`* connection closed (${c.code}${c.reason ? `: ${c.reason}` : ''})`);
      finish(c.code === 1000 ? 0 : 1);
    });
    rl.on('close', () => finish(0));
    rl.on('line', (line) => {
      void handleLine(line.trim()).then(() => rl.prompt());
    });

    async function handleLine(line: string): Promise<void> {
      if (line === '') return;
      try {
        if (line === '/quit') return finish(0);
        if (line === '/fp')
          return print(`fingerprint: ${client.fingerprint() ?? '(no group key yet)'}`);
        if (line === '/who') {
          for (const m of client.members()) {
            const number =
              m.id === client.clientId
                ? '(you)'
                : ((await client.safetyNumber(m.id)) ?? 'unverified');
            print(`  ${m.id}${m.inEpoch ? '' : ' (no key yet)'}  ${number}`);
          }
          return;
        }
        if (line.startsWith('/file ')) {
          const path = line.slice(6).trim();
          const data = await readFile(path);
          await client.sendFile(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
            name: basename(path),
            onProgress: (sent, total) => {
              if (sent === total) print(`* sent ${basename(path)} (${total} bytes)`);
            },
          });
          return;
        }
        if (line.startsWith('/')) return print('! commands: /file <path>, /who, /fp, /quit');
        await client.sendText(line);
        if (!output.isTTY) print(format.own(line));
      } catch (error) {
        print(`! ${(error as Error).message}`);
      }
    }
  });
}

import { type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Server, ServerOptions } from 'ws';

/**
 * @nestjs/platform-ws, minus its per-frame work. The stock adapter JSON-parses every message to
 * route it to @SubscribeMessage handlers and silently drops what fails; our frames are binary
 * and opaque, so the gateway owns each socket's 'message' handler and this adapter binds none.
 * It also applies runtime limits (the decorator's options are fixed at compile time) and keeps
 * per-socket errors out of the log: a client sending garbage must not be able to flood it.
 */
export class RelayWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly runtime: { maxPayload: number; onSocketError: () => void },
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & ServerOptions = {}): Server {
    return super.create(port, {
      ...options,
      maxPayload: this.runtime.maxPayload,
      // Ciphertext does not compress; deflate would only cost CPU and memory per socket.
      perMessageDeflate: false,
    }) as Server;
  }

  override bindMessageHandlers(): void {
    // Intentionally empty: see the class comment.
  }

  override bindErrorHandler(server: Server): Server {
    server.on('connection', (ws) => ws.on('error', this.runtime.onSocketError));
    server.on('error', this.runtime.onSocketError);
    return server;
  }
}

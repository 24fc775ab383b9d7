import { type CreateServerOptions, createServer, type OmnifuseServer } from './server.js';

export interface ServeOptions extends CreateServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Close gracefully on SIGTERM and SIGINT; default true. */
  readonly handleSignals?: boolean;
}

export interface RunningServer {
  readonly server: OmnifuseServer;
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  readonly address: string;
  /** Resolves once the server has closed, after a signal or `server.close()`. */
  readonly closed: Promise<void>;
}

/**
 * Loads the bundle and listens; on SIGTERM/SIGINT (or `server.close()`) it stops accepting,
 * finishes the requests in flight and frees the model.
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const created = await createServer(options);
  const signals: NodeJS.Signals[] = options.handleSignals === false ? [] : ['SIGTERM', 'SIGINT'];
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const onSignal = () => void server.close();
  const server: OmnifuseServer = {
    ...created,
    async close() {
      for (const signal of signals) process.removeListener(signal, onSignal);
      await created.close();
      markClosed();
    },
  };
  const address = await created.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  for (const signal of signals) process.once(signal, onSignal);
  return { server, address, closed };
}

/** A local webhook receiver that records deliveries and can fail the first ones (tests only; loopback). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookDelivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  deliveries: WebhookDelivery[];
  close(): Promise<void>;
}

/** Answers 500 to the first `failFirst` deliveries, 200 afterwards. */
export async function startWebhookReceiver(options: { failFirst?: number } = {}): Promise<WebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = deliveries.length < (options.failFirst ?? 0) ? 500 : 200;
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/airlock-hook`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

import { createSocket, type Socket } from 'node:dgram';
import { parseIp } from '../../../schemas/ip-address.js';

/** A DNS server the test controls, on this machine's loopback: the egress proxy's resolver is pointed at it. */
export interface LoopbackDns {
  /** `127.0.0.1:PORT`, as the resolver's server list takes it. */
  server: string;
  /** Every question asked, as `name TYPE`. */
  questions: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

/**
 * Answers A and AAAA questions for the names in `records` (addresses of this machine only: the answers are what a
 * rebinding attacker would serve, and nothing ever connects to anything but loopback) and NXDOMAIN for the rest.
 */
export async function startLoopbackDns(records: Record<string, string[]>): Promise<LoopbackDns> {
  const questions: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (query.length < 17) return;
    const labels: string[] = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      const length = query[at] as number;
      labels.push(query.subarray(at + 1, at + 1 + length).toString('latin1'));
      at += 1 + length;
    }
    const questionEnd = at + 5;
    if (questionEnd > query.length) return;
    const type = query.readUInt16BE(at + 1);
    const name = labels.join('.').toLowerCase();
    questions.push(`${name} ${type === TYPE_A ? 'A' : type === TYPE_AAAA ? 'AAAA' : String(type)}`);
    const known = records[name];
    const answers = (known ?? [])
      .map((text) => parseIp(text))
      .filter((ip) => ip !== undefined && (type === TYPE_A ? ip.family === 4 : type === TYPE_AAAA && ip.family === 6));
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // response, recursion desired and available; NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const records_ = answers.map((ip) => {
      const rr = Buffer.alloc(12 + ip!.bytes.length);
      rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      rr.writeUInt16BE(type, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(5, 6); // a short TTL, as a rebinding server would use
      rr.writeUInt16BE(ip!.bytes.length, 10);
      Buffer.from(ip!.bytes).copy(rr, 12);
      return rr;
    });
    socket.send(Buffer.concat([header, query.subarray(12, questionEnd), ...records_]), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => resolve());
  });
  return {
    server: `127.0.0.1:${socket.address().port}`,
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

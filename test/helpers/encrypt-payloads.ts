/**
 * Encrypts every payload of a history file's JSON with the test XOR codec
 * (test/fixtures/codec/xor-codec.mjs; xor_codec.py is its Python twin), as a worker with an
 * encryption codec would have recorded it.
 */
import proto from '@temporalio/proto';

const Payload = proto.temporal.api.common.v1.Payload;

type XorCodec = { encode(p: unknown[]): Promise<{ metadata: Record<string, Uint8Array>; data: Uint8Array }[]> };

export async function encryptPayloads(node: unknown): Promise<unknown> {
  // @ts-expect-error a plain JS fixture, as users' codec modules are
  const { XorCodec } = (await import('../fixtures/codec/xor-codec.mjs')) as { XorCodec: new () => XorCodec };
  const codec = new XorCodec();
  const encrypt = async (n: unknown): Promise<unknown> => {
    if (Array.isArray(n)) return Promise.all(n.map(encrypt));
    if (!n || typeof n !== 'object') return n;
    const o = n as Record<string, unknown>;
    if (Array.isArray(o.payloads)) {
      const decoded = (o.payloads as { metadata: Record<string, string>; data?: string }[]).map((p) =>
        Payload.fromObject({
          metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
          data: Buffer.from(p.data ?? '', 'base64'),
        }),
      );
      const encoded = await codec.encode(decoded);
      return { ...o, payloads: encoded.map((p) => ({ metadata: { encoding: Buffer.from(p.metadata.encoding as Uint8Array).toString('base64') }, data: Buffer.from(p.data).toString('base64') })) };
    }
    return Object.fromEntries(await Promise.all(Object.entries(o).map(async ([k, v]) => [k, await encrypt(v)])));
  };
  return encrypt(node);
}

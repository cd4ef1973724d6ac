/** What a `--codec` module provides: `payloadCodecs`, or a default export of that array (or object). */
import type { PayloadCodec } from '@temporalio/common';
import { UsageError } from '../errors.js';

export type CodecModule = { payloadCodecs?: PayloadCodec[]; default?: PayloadCodec[] | { payloadCodecs?: PayloadCodec[] } };

/** The codecs of an imported codec module; `modulePath` names it in the error. */
export function codecsOf(mod: CodecModule, modulePath: string): PayloadCodec[] {
  const codecs = mod.payloadCodecs ?? (Array.isArray(mod.default) ? mod.default : mod.default?.payloadCodecs);
  if (!Array.isArray(codecs)) {
    throw new UsageError(`codec module ${modulePath} exports no payloadCodecs array`, 'export const payloadCodecs = [new MyCodec()]');
  }
  return codecs;
}

// The one error type every decoder throws. `layer` says which protocol layer was being
// read, `code` names the exact check that failed (unique per check, stable for tests and
// counters), `offset` is the byte offset in the buffer handed to the decoder.

export type Layer = 'cursor' | 'bgp' | 'attr' | 'nlri' | 'bmp' | 'mrt' | 'rislive' | 'trace';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly layer: Layer,
    readonly code: string,
    readonly offset: number,
    message: string,
  ) {
    super(`${layer}/${code} at offset ${offset}: ${message}`);
  }
}

export function isDecodeError(e: unknown): e is DecodeError {
  return e instanceof DecodeError;
}

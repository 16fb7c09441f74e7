// OPEN: RFC 4271 section 4.2, optional parameters per RFC 5492 and RFC 9072.
//   version (1) | My AS (2) | Hold Time (2) | BGP Identifier (4) | Opt Parm Len (1) | params
//   param: type (1) | length (1) | value            type 2 = Capabilities (RFC 5492)
// RFC 9072 extended form: Opt Parm Len non-zero (255 when sent) and the first param type 255:
//   255 (1) | extended Opt Parm Len (2) | params with type (1) | length (2) | value
// The cursor covers the message body (after the 19-byte header).
import { type Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { decodeCapabilities, encodeCapability } from './capabilities.ts';
import type { Capability, OpenMessage } from './types.ts';

const PARAM_CAPABILITIES = 2;

export function decodeOpen(cur: Cursor): OpenMessage {
  const at = cur.pos;
  if (cur.end - at < 10) throw new DecodeError('bgp', 'open-truncated', at, `OPEN body needs 10 bytes, ${cur.end - at} left`);
  const version = cur.u8('version');
  const myAs = cur.u16('my AS');
  const holdTime = cur.u16('hold time');
  const bgpId = { family: 4 as const, bytes: cur.bytes(4, 'BGP identifier') };
  let paramsLen = cur.u8('optional parameters length');
  let extended = false;
  if (paramsLen !== 0 && cur.pos < cur.end && cur.buf[cur.pos] === 255) {
    // RFC 9072 2: a first parameter type of 255 (whatever Opt Parm Len says) marks the extended layout.
    if (cur.end - cur.pos < 3) throw new DecodeError('bgp', 'open-ext-params-truncated', cur.pos, 'RFC 9072 extended parameters length cut');
    cur.u8('extended marker');
    paramsLen = cur.u16('extended optional parameters length');
    extended = true;
  }
  if (paramsLen !== cur.end - cur.pos) {
    throw new DecodeError('bgp', 'open-params-length', cur.pos, `optional parameters length ${paramsLen}, ${cur.end - cur.pos} byte(s) follow`);
  }
  const capabilities: Capability[] = [];
  const otherParams: { type: number; raw: Uint8Array }[] = [];
  const hdr = extended ? 3 : 2;
  while (!cur.atEnd) {
    const pat = cur.pos;
    if (cur.end - pat < hdr) throw new DecodeError('bgp', 'open-param-header-truncated', pat, `parameter header needs ${hdr} bytes, ${cur.end - pat} left`);
    const type = cur.u8('parameter type');
    const len = extended ? cur.u16('parameter length') : cur.u8('parameter length');
    if (len > cur.end - cur.pos) throw new DecodeError('bgp', 'open-param-overrun', pat, `parameter ${type} length ${len} overruns the OPEN`);
    const v = cur.sub(len, 'parameter value');
    if (type === PARAM_CAPABILITIES) decodeCapabilities(v, capabilities);
    else otherParams.push({ type, raw: v.rest() });
  }
  return { kind: 'open', version, myAs, holdTime, bgpId, capabilities, otherParams };
}

/**
 * Capabilities go in type-2 parameters of at most 255 bytes each; if all parameters
 * together exceed 255 bytes the RFC 9072 extended layout is used.
 */
export function encodeOpen(m: OpenMessage, w: Writer): void {
  w.u8(m.version).u16(m.myAs).u16(m.holdTime).bytes(m.bgpId.bytes);
  const params: { type: number; value: Uint8Array }[] = [];
  let group = new Writer(64);
  for (const c of m.capabilities) {
    const one = new Writer(16);
    encodeCapability(c, one);
    if (group.length > 0 && group.length + one.length > 255) {
      params.push({ type: PARAM_CAPABILITIES, value: group.finish() });
      group = new Writer(64);
    }
    group.bytes(one.finish());
  }
  if (group.length > 0) params.push({ type: PARAM_CAPABILITIES, value: group.finish() });
  for (const p of m.otherParams) params.push({ type: p.type, value: p.raw });
  let total = 0;
  let extended = false;
  for (const p of params) {
    total += 2 + p.value.length;
    if (p.value.length > 255) extended = true;
  }
  if (total > 255) extended = true;
  if (extended) {
    total += params.length; // each parameter length grows to 2 bytes
    w.u8(255).u8(255).u16(total);
  } else {
    w.u8(total);
  }
  for (const p of params) {
    w.u8(p.type);
    if (extended) w.u16(p.value.length);
    else w.u8(p.value.length);
    w.bytes(p.value);
  }
}

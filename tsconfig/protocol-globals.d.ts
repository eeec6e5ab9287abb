/**
 * The few globals that every runtime `protocol/` runs in provides (Node, browsers, Electron's renderer and
 * main, workers), declared without Node's or the DOM's types so that anything else is a type error in
 * `protocol/`. WHATWG Encoding Standard subset.
 */
interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { prototype: TextEncoder; new (): TextEncoder };

interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare const TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

// Types for snappyjs (ships none). Snappy *block* format, as Loki's push protocol uses.
declare module 'snappyjs' {
  interface SnappyJS {
    /** Throws on a corrupt stream or when the declared length exceeds `maxLength`. */
    uncompress(compressed: Buffer, maxLength?: number): Buffer;
    compress(uncompressed: Buffer): Buffer;
  }
  const snappy: SnappyJS;
  export default snappy;
}

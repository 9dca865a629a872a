/**
 * TCP framing of syslog messages (RFC 6587, https://www.rfc-editor.org/rfc/rfc6587#section-3.4),
 * detected per message from its first byte:
 *  - a digit 1–9 opens octet counting, `MSG-LEN SP SYSLOG-MSG` (also RFC 5425 over TLS);
 *  - anything else is non-transparent framing: the message ends at LF or NUL, and a CR before the
 *    LF is dropped (CRLF senders). Empty lines between messages are skipped.
 * A digit run not followed by a space (or longer than 10 digits) is not a length after all: the
 * bytes are read as the start of a newline-framed message.
 *
 * Memory: a framer never holds more than `maxMessageBytes` (+1, a CR that may precede the LF) of
 * one message. A longer message is
 * emitted as soon as that many bytes arrived (cut at a UTF-8 character boundary, `truncated`
 * set) and the rest of it is discarded as it arrives. A connection that ends mid-message emits
 * what it sent (`truncated` when an octet-counted message was incomplete).
 *
 * Contract: `emit` gets a buffer that may be a view of the pushed chunk (copy what you keep);
 * it must not throw. Not safe to share between
 * connections.
 */

export type EmitFn = (msg: Buffer, truncated: boolean) => void;

const enum State {
  Start,
  Count,
  Octet,
  Skip,
  Line,
  DiscardLine,
}

const MAX_LEN_DIGITS = 10;

/** `buf` without an incomplete UTF-8 character at its end. */
export function cutUtf8(buf: Buffer): Buffer {
  const n = buf.length;
  let j = n - 1;
  let cont = 0;
  while (j >= 0 && cont < 3 && (buf[j] & 0xc0) === 0x80) {
    j--;
    cont++;
  }
  if (j < 0) return buf;
  const lead = buf[j];
  const want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return j + want > n ? buf.subarray(0, j) : buf;
}

export class SyslogFramer {
  private state = State.Start;
  private parts: Buffer[] = [];
  private size = 0;
  /** Octet counting: the length being read, then the bytes of the message still to come. */
  private remaining = 0;
  private digits = 0;
  private truncatedMessages = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes of the current, incomplete message held in memory (at most `maxMessageBytes` + 1). */
  get pendingBytes(): number {
    return this.size;
  }

  /** Messages cut to `maxMessageBytes` (or cut off by the end of the stream) so far. */
  get truncated(): number {
    return this.truncatedMessages;
  }

  push(chunk: Buffer, emit: EmitFn): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = chunk[i];
          if (c === 10 || c === 13 || c === 0) {
            i++;
            break;
          }
          if (c >= 49 && c <= 57) {
            this.state = State.Count;
            this.remaining = 0;
            this.digits = 0;
          } else {
            this.state = State.Line;
          }
          break;
        }
        case State.Count: {
          const start = i;
          while (i < n) {
            const c = chunk[i];
            if (c >= 48 && c <= 57 && this.digits < MAX_LEN_DIGITS) {
              this.remaining = this.remaining * 10 + (c - 48);
              this.digits++;
              i++;
              continue;
            }
            break;
          }
          this.keep(chunk.subarray(start, i));
          if (i >= n) break;
          if (chunk[i] === 32) {
            i++;
            this.clear();
            this.state = State.Octet;
            if (this.remaining === 0) this.state = State.Start; // unreachable: the first digit is 1–9
          } else {
            this.state = State.Line; // not a length: the digits start a newline-framed message
          }
          break;
        }
        case State.Octet: {
          const take = Math.min(this.remaining, n - i);
          const room = this.maxMessageBytes - this.size;
          if (take <= room) {
            this.keep(chunk.subarray(i, i + take));
            i += take;
            this.remaining -= take;
            if (this.remaining === 0) this.flush(emit, false);
          } else {
            this.keep(chunk.subarray(i, i + room));
            i += room;
            this.remaining -= room;
            this.flush(emit, true);
            this.state = State.Skip;
          }
          break;
        }
        case State.Skip: {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.Start;
          break;
        }
        case State.Line: {
          let end = i;
          while (end < n && chunk[end] !== 10 && chunk[end] !== 0) end++;
          // One byte more than the limit may wait here: the CR of a CRLF, dropped at the end.
          const room = this.maxMessageBytes + 1 - this.size;
          if (end - i > room) {
            this.keep(chunk.subarray(i, i + room));
            i += room;
            this.flush(emit, true);
            this.state = State.DiscardLine;
            break;
          }
          this.keep(chunk.subarray(i, end));
          i = end;
          if (end < n) {
            i++; // the LF or NUL
            this.flush(emit, false);
          }
          break;
        }
        case State.DiscardLine: {
          while (i < n && chunk[i] !== 10 && chunk[i] !== 0) i++;
          if (i < n) {
            i++;
            this.state = State.Start;
          }
          break;
        }
      }
    }
  }

  /** The stream ended: emits an unfinished message, if any. */
  end(emit: EmitFn): void {
    if (this.state === State.Line || this.state === State.Count) {
      if (this.size > 0) this.flush(emit, false);
    } else if (this.state === State.Octet && this.size > 0) {
      this.flush(emit, true);
    }
    this.clear();
    this.state = State.Start;
  }

  private keep(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.size += b.length;
  }

  private clear(): void {
    this.parts = [];
    this.size = 0;
  }

  private flush(emit: EmitFn, truncated: boolean): void {
    let msg = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    const wasLine = this.state === State.Line || this.state === State.Count;
    this.clear();
    this.state = State.Start;
    if (wasLine && !truncated && msg.length > 0 && msg[msg.length - 1] === 13) msg = msg.subarray(0, msg.length - 1);
    if (msg.length > this.maxMessageBytes) {
      msg = msg.subarray(0, this.maxMessageBytes);
      truncated = true;
    }
    if (truncated) {
      msg = cutUtf8(msg);
      this.truncatedMessages++;
    }
    emit(msg, truncated);
  }
}

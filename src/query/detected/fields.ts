/**
 * `/loki/api/v1/detected_fields` and `/detected_field/<name>/values`: the fields found in a
 * sample of log entries, the way Loki finds them (pkg/querier/queryrange/detected_fields.go):
 *
 * - structured metadata: every key is a field without parsers (`"parsers": null`);
 * - the parsed labels the query's own parsers produced (`{...} | json`), plus what the line
 *   gives when it is parsed as JSON, or else as logfmt (never strict): those fields carry that
 *   parser (`["json"]` / `["logfmt"]`), several when different lines parse differently. A parsed
 *   name that is a stream label is suffixed `_extracted`, as `| json` does; `__error__` and
 *   `__error_details__` are never fields;
 * - a field's type is that of its last value seen (determineType), its cardinality the number of
 *   distinct values (Loki's HyperLogLog sketch is exact at these sizes);
 * - at most `limit` fields are created, in the order they are first seen (stream by stream in
 *   label order, entries in the query's order, metadata before parsed labels);
 * - JSON fields carry `jsonPath`, the keys leading to the value (`{"a":{"b":1}}` → `a_b`,
 *   `["a","b"]`), which Logs Drilldown uses to build `| json a_b="a.b"`.
 *
 * A `detected_level` metadata key (or any other) is a field like every other. Inputs are read,
 * never mutated; a detector is not safe for concurrent use (it reuses one labels builder).
 */
import type { Labels } from '../../model/labels.js';
import { labelsToString } from '../../model/labels.js';
import { LabelsBuilder, ERROR_LABEL, ERROR_DETAILS_LABEL } from '../../logql/labels-builder.js';
import { buildStage } from '../../logql/pipeline.js';
import { walkJsonObject } from '../../logql/stages/json-scan.js';
import { sanitizeLabelKey, type StageRunner } from '../../logql/stages/stage.js';
import { detectedFieldValue, determineType, type DetectedFieldType } from './field-type.js';

export interface DetectedField {
  label: string;
  type: DetectedFieldType;
  cardinality: number;
  /** null for structured metadata (Loki's nil slice). */
  parsers: string[] | null;
  jsonPath?: string[];
}

export interface SampleEntry {
  line: string;
  structuredMetadata: Labels;
  parsed: Labels;
}

export interface SampleStream {
  streamLabels: Labels;
  entries: readonly SampleEntry[];
}

type Parser = 'json' | 'logfmt';

const HIDDEN = new Set([ERROR_LABEL, ERROR_DETAILS_LABEL, '__preserve_error__']);

interface ParsedEntry {
  values: Map<string, Set<string>>;
  parser: Parser | undefined;
}

interface FieldAcc {
  type: DetectedFieldType;
  values: Set<string>;
  parsers: Parser[];
  jsonPath?: string[];
}

/** Streams in Loki's order: by their label string. */
function ordered(streams: readonly SampleStream[]): SampleStream[] {
  return streams.map((s) => ({ s, k: labelsToString(s.streamLabels) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.s);
}

export class FieldDetector {
  private readonly builder = new LabelsBuilder();
  private readonly json: StageRunner = buildStage({ type: 'json', params: [] });
  private readonly logfmt: StageRunner = buildStage({ type: 'logfmt', strict: false, keepEmpty: false, params: [] });

  /** The parsed labels of one entry: the query's, then the line's as JSON or else logfmt. */
  parseEntry(streamLabels: Labels, e: SampleEntry): ParsedEntry {
    const values = new Map<string, Set<string>>();
    const add = (k: string, v: string): void => {
      if (HIDDEN.has(k)) return;
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    };
    // Names the query already parsed are no longer stream labels for the parsers below.
    let base = streamLabels;
    for (const k in e.parsed) {
      add(k, e.parsed[k]);
      if (k in base) {
        if (base === streamLabels) base = { ...streamLabels };
        delete base[k];
      }
    }
    const b = this.builder;
    b.reset(base, undefined, undefined);
    let parser: Parser = 'json';
    this.json.process(e.line, b, 0n);
    if (b.err !== '') {
      b.reset(base, undefined, undefined);
      parser = 'logfmt';
      this.logfmt.process(e.line, b, 0n);
      if (b.err !== '') return { values, parser: undefined };
    }
    const parsed = b.result().parsed;
    for (const k in parsed) add(k, parsed[k]);
    return { values, parser };
  }

  /** Fields of the sample, at most `limit`, sorted by name. */
  fields(streams: readonly SampleStream[], limit: number): DetectedField[] {
    const acc = new Map<string, FieldAcc>();
    const touch = (name: string, vals: Iterable<string>, parser: Parser | undefined): FieldAcc | undefined => {
      let f = acc.get(name);
      if (!f) {
        if (acc.size >= limit) return undefined;
        acc.set(name, (f = { type: 'string', values: new Set(), parsers: [] }));
      }
      if (parser !== undefined && !f.parsers.includes(parser)) f.parsers.push(parser);
      let first = true;
      for (const v of vals) {
        // Loki types a field once per entry, from its first value there; the last entry wins.
        if (first) f.type = determineType(v);
        first = false;
        f.values.add(v);
      }
      return f;
    };
    for (const s of ordered(streams)) {
      for (const e of s.entries) {
        for (const k in e.structuredMetadata) touch(k, [e.structuredMetadata[k]], undefined);
        const p = this.parseEntry(s.streamLabels, e);
        let needPaths = false;
        for (const [k, vals] of p.values) {
          const f = touch(k, vals, p.parser);
          if (f && p.parser === 'json' && f.jsonPath === undefined) needPaths = true;
        }
        if (needPaths) {
          const paths = jsonPaths(e.line);
          for (const k of p.values.keys()) {
            const f = acc.get(k);
            if (!f || f.jsonPath !== undefined) continue;
            const path = paths.get(k) ?? (k.endsWith('_extracted') ? paths.get(k.slice(0, -'_extracted'.length)) : undefined);
            if (path) f.jsonPath = path;
          }
        }
      }
    }
    const out: DetectedField[] = [];
    for (const [label, f] of acc) {
      const d: DetectedField = { label, type: f.type, cardinality: f.values.size, parsers: f.parsers.length > 0 ? f.parsers : null };
      if (f.jsonPath && f.parsers.includes('json')) d.jsonPath = f.jsonPath;
      out.push(d);
    }
    return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  }

  /**
   * Distinct values of field `name`, sorted: from structured metadata as stored, from parsed
   * labels with byte sizes respelled (detectedFieldValue). Entries are read until `limit`
   * values are found (checked before each entry, as Loki does, so a few more may come).
   */
  values(streams: readonly SampleStream[], name: string, limit: number): string[] {
    const values = new Set<string>();
    outer: for (const s of ordered(streams)) {
      for (const e of s.entries) {
        if (values.size >= limit) break outer;
        const m = e.structuredMetadata[name];
        if (m !== undefined) values.add(m);
        const p = this.parseEntry(s.streamLabels, e).values.get(name);
        if (p) for (const v of p) values.add(detectedFieldValue(v));
      }
    }
    return [...values].sort();
  }
}

/** Flattened JSON label name → the keys leading to it, as `| json` names the fields. */
export function jsonPaths(line: string): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  try {
    walkJsonObject(
      line,
      (prefix, key) => {
        const k = prefix === '' ? sanitizeLabelKey(key, true) : prefix + '_' + sanitizeLabelKey(key, false);
        if (k === '') return undefined;
        if (!paths.has(k)) paths.set(k, [...(paths.get(prefix) ?? []), key]);
        return k;
      },
      () => {},
    );
  } catch {
    // Not JSON (the parser said so already): no paths.
  }
  return paths;
}

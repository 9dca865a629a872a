/**
 * Drain: online log template mining with a fixed-depth parse tree, written from the paper's
 * description (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing Approach with Fixed Depth
 * Tree", ICWS 2017, https://jiemingzhu.github.io/pub/pjhe_icws2017.pdf).
 *
 * 1. Tokenize the line (tokenize.ts).
 * 2. The first layer of the tree groups lines by token count: templates of one event almost
 *    always have as many tokens as their lines.
 * 3. The next `depth` layers descend by the leading tokens. A token holding a digit descends
 *    the wildcard branch (`<_>`), as does any token once a node has `maxChildren` children, so
 *    variables near the start of a line cannot blow the tree up.
 * 4. The leaf holds a list of clusters; the line joins the most similar one when the share of
 *    positions where its token equals the template's (wildcards do not count) reaches
 *    `similarity`, and the positions that differ become `<_>`. Otherwise the line starts a new
 *    cluster whose template is the line itself.
 *
 * One departure from the paper, for structured lines: key tokens (`name=`, `"name":`) are not
 * counted in the similarity, and a template only takes lines with the same keys at the same
 * places. Otherwise `level=error msg="db timeout" after=30s` and
 * `level=error msg="disk full" device=sda1` would merge on their shared keys alone.
 *
 * A `Drain` is one tree; the miner keeps one per stream and level. It owns its clusters; the
 * miner may remove one (eviction) with `remove`. Not safe for concurrent use (none in Node).
 */
import { hasDigit, VAR, type Tokenizer } from './tokenize.js';

export interface DrainOptions {
  /** Layers of leading tokens below the token-count layer (the paper's depth minus 2). */
  depth: number;
  /** Children per inner node before further tokens share the wildcard branch. */
  maxChildren: number;
  /** Share of equal tokens for a line to join a cluster, 0..1 (the paper's st). */
  similarity: number;
}

export interface Cluster {
  /** Template tokens; `<_>` at variable positions. */
  words: string[];
  glued: Uint8Array;
  /** Leaf list the cluster lives in (for removal). */
  leaf: Cluster[];
  /** The rendered pattern, cached until the template changes. */
  pattern?: string;
}

interface Node {
  children: Map<string, Node>;
  clusters?: Cluster[];
}

function newNode(): Node {
  return { children: new Map() };
}

export class Drain<C extends Cluster = Cluster> {
  private readonly byLength = new Map<number, Node>();

  constructor(
    private readonly opts: DrainOptions,
    /** Makes a new cluster from a line's tokens, copying them (the miner adds its own fields). */
    private readonly create: (t: Tokenizer, leaf: Cluster[]) => C,
  ) {}

  /**
   * Finds or creates the cluster of a line. `created` tells which happened; `changed` that an
   * existing template gained a wildcard.
   */
  add(t: Tokenizer): { cluster: C; created: boolean; changed: boolean } {
    const leaf = this.leafOf(t);
    const best = this.bestMatch(leaf, t);
    if (best) {
      const changed = merge(best, t);
      return { cluster: best as C, created: false, changed };
    }
    const c = this.create(t, leaf);
    leaf.push(c);
    return { cluster: c, created: true, changed: false };
  }

  /** Removes a cluster from its leaf (eviction). */
  remove(c: C): void {
    const i = c.leaf.indexOf(c);
    if (i >= 0) c.leaf.splice(i, 1);
  }

  private leafOf(t: Tokenizer): Cluster[] {
    const n = t.n;
    let node: Node | undefined = this.byLength.get(n);
    if (!node) {
      node = newNode();
      this.byLength.set(n, node);
    }
    const depth = Math.min(this.opts.depth, n);
    for (let i = 0; i < depth; i++) {
      const w = t.word(i);
      let key = t.cut && i === n - 1 ? VAR : hasDigit(w) ? VAR : w;
      let next: Node | undefined = node.children.get(key);
      if (!next) {
        if (key !== VAR && node.children.size >= this.opts.maxChildren) {
          key = VAR;
          next = node.children.get(key);
        }
        if (!next) {
          next = newNode();
          node.children.set(key, next);
        }
      }
      node = next;
    }
    return (node.clusters ??= []);
  }

  private bestMatch(leaf: Cluster[], t: Tokenizer): Cluster | undefined {
    const keys = t.keys;
    const n = t.n;
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestVars = -1;
    next: for (let k = 0; k < leaf.length; k++) {
      const c = leaf[k];
      const tw = c.words;
      let same = 0;
      let vars = 0;
      let values = 0;
      for (let i = 0; i < n; i++) {
        const w = tw[i];
        if (keys[i] === 1) {
          // Keys are structure: lines with other keys are another event, however alike.
          if (!t.equals(i, w)) continue next;
          continue;
        }
        values++;
        if (w === VAR) vars++;
        else if (t.equals(i, w)) same++;
      }
      if (same + vars === values) {
        // The line fits the template as it is: no cluster can fit better. Keep the leaf in
        // most-recently-fitted order so the next line of this pattern is found first.
        if (k > 0) {
          leaf[k] = leaf[k - 1];
          leaf[k - 1] = c;
        }
        return c;
      }
      const sim = values === 0 ? 1 : same / values;
      // Ties go to the template with more wildcards (the paper's tie-break).
      if (sim > bestSim || (sim === bestSim && vars > bestVars)) {
        best = c;
        bestSim = sim;
        bestVars = vars;
      }
    }
    if (!best) return undefined;
    // A template whose values are all wildcards takes any line with its keys.
    return bestSim >= this.opts.similarity || bestVars === n - countKeys(keys, n) ? best : undefined;
  }
}

function countKeys(keys: Uint8Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k += keys[i];
  return k;
}

/** Turns the positions where the line differs into wildcards; returns whether anything changed. */
function merge(c: Cluster, t: Tokenizer): boolean {
  const tw = c.words;
  let changed = false;
  for (let i = 0; i < tw.length; i++) {
    if (tw[i] !== VAR && !t.equals(i, tw[i])) {
      tw[i] = VAR;
      changed = true;
    }
  }
  if (changed) c.pattern = undefined;
  return changed;
}

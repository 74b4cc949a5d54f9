/**
 * Open boundary paths of the polygonizer's sweep. A chain is a directed path of boundary edges (the part's
 * pixels on its right, looking along it with y pointing down) whose two ends hang on the line being swept; it
 * grows at either end, and two chains whose ends meet are joined. When a chain's two ends meet, it is a ring.
 *
 * Joining copies the shorter chain into the longer, so a vertex is copied O(log n) times at most, and the
 * absorbed chain forwards to the survivor: references held by the sweep (the row's end slots) are resolved
 * lazily with {@link resolve}.
 */
import type { Part } from './components';

export class Chain {
  /**
   * Vertices before `tail[0]`, nearest first: the chain's first vertex is the last pair. Vertices added at the
   * head are pushed here, so both ends grow by push.
   */
  head: number[] = [];
  /** Vertices from the chain's first tail vertex to its last, in order. */
  tail: number[];
  /** The chain this one was copied into, once joined. */
  forward: Chain | null = null;
  /** True when the chain went through a pinch corner (two diagonal pixels in, two out), so its ring may touch itself. */
  pinch: boolean;

  constructor(
    /** The part whose pixels lie on the chain's right. */
    readonly owner: Part,
    x: number,
    y: number,
    pinch = false,
  ) {
    this.tail = [x, y];
    this.pinch = pinch;
  }
}

/** The live chain a (possibly joined) chain reference stands for, with path compression. */
export function resolve(c: Chain): Chain {
  let root = c;
  while (root.forward !== null) root = root.forward;
  while (c.forward !== null && c.forward !== root) {
    const next: Chain = c.forward;
    c.forward = root;
    c = next;
  }
  return root;
}

/**
 * Joins the chain ending at (x, y) (`tailChain`, arriving there) to the chain starting there (`headChain`).
 * Returns the closed ring when both are the same chain, else null (the joined chain lives on).
 */
export function join(tailChain: Chain, headChain: Chain, x: number, y: number): number[] | null {
  const t = resolve(tailChain);
  const h = resolve(headChain);
  if (t === h) {
    const ring: number[] = [];
    const head = t.head;
    for (let i = head.length - 2; i >= 0; i -= 2) ring.push(head[i], head[i + 1]);
    const tail = t.tail;
    for (let i = 0; i < tail.length; i++) ring.push(tail[i]);
    ring.push(x, y);
    t.head = t.tail = EMPTY;
    return ring;
  }
  const pinch = t.pinch || h.pinch;
  if (t.head.length + t.tail.length >= h.head.length + h.tail.length) {
    // t + (x, y) + h, appended at t's tail.
    const out = t.tail;
    out.push(x, y);
    const head = h.head;
    for (let i = head.length - 2; i >= 0; i -= 2) out.push(head[i], head[i + 1]);
    const tail = h.tail;
    for (let i = 0; i < tail.length; i++) out.push(tail[i]);
    t.pinch = pinch;
    h.forward = t;
    h.head = h.tail = EMPTY;
  } else {
    // t + (x, y) + h, prepended at h's head (nearest vertex first).
    const out = h.head;
    out.push(x, y);
    const tail = t.tail;
    for (let i = tail.length - 2; i >= 0; i -= 2) out.push(tail[i], tail[i + 1]);
    const head = t.head;
    for (let i = 0; i < head.length; i++) out.push(head[i]);
    h.pinch = pinch;
    t.forward = h;
    t.head = t.tail = EMPTY;
  }
  return null;
}

// Shared by every finished chain so its vertex arrays can be collected; never written to.
const EMPTY: number[] = [];

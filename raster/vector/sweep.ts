/**
 * The polygonizer's sweep between two rows: boundary chains extended, started, joined and closed at the run
 * boundaries of both rows (see polygonize.ts for the picture as a whole).
 */
import { Chain, resolve } from './chain';
import type { Part } from './components';

/** The runs of one row with what the sweep hangs on them. */
export class RowRuns {
  /** Run i covers columns [starts[i], ends[i]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The part of each run. */
  parts: Part[] = [];
  /** The chain whose head hangs at each run's left edge, and whose tail hangs at its right edge. */
  heads: Chain[] = [];
  tails: Chain[] = [];
  count = 0;

  constructor(width: number) {
    const maxRuns = (width >> 1) + 1;
    this.starts = new Int32Array(maxRuns);
    this.ends = new Int32Array(maxRuns);
  }
}

/** Joins the chain arriving at (x, y) to the one leaving it (a ring when they are the same chain). */
export type CloseRing = (tail: Chain, head: Chain, x: number, y: number) => void;

/**
 * Walks the line y between the row above (prev) and the new row (cur), vertex by vertex. A vertex is a run
 * boundary of either row; its four pixels (TL, TR above; BL, BR below) decide which edges meet there: U (the
 * boundary above, an open chain end), D (below, handed to the new row), L (along the line from the left, the
 * pending chain end) and R (along the line to the right, becomes pending).
 */
export function sweepLine(prev: RowRuns, cur: RowRuns, y: number, close: CloseRing): void {
  const { starts: prevStarts, ends: prevEnds, heads: prevHeads, tails: prevTails } = prev;
  const { starts: curStarts, ends: curEnds, heads: curHeads, tails: curTails, parts: curParts } = cur;
  const pn = 2 * prev.count;
  const cn = 2 * cur.count;
  let pi = 0;
  let ci = 0;
  let tl = 0;
  let bl = 0;
  let pending: Chain | null = null;
  while (pi < pn || ci < cn) {
    const px = pi < pn ? ((pi & 1) === 0 ? prevStarts[pi >> 1] : prevEnds[pi >> 1]) : 0x7fffffff;
    const cx = ci < cn ? ((ci & 1) === 0 ? curStarts[ci >> 1] : curEnds[ci >> 1]) : 0x7fffffff;
    const x = px < cx ? px : cx;
    const up = px === x;
    const down = cx === x;
    const tr = up ? tl ^ 1 : tl;
    const br = down ? bl ^ 1 : bl;
    const k = pi >> 1;
    const j = ci >> 1;
    switch ((tl << 3) | (tr << 2) | (bl << 1) | br) {
      case 0b0101: // right pixels in: the left edge of a run goes straight on (chain head)
        curHeads[j] = prevHeads[k];
        break;
      case 0b1010: // left pixels in: the right edge goes straight on (chain tail)
        curTails[j] = prevTails[k];
        break;
      case 0b1000: // only TL in: its bottom-right corner; the tail above meets the head on the left
        close(prevTails[k], pending as Chain, x, y);
        pending = null;
        break;
      case 0b0111: // only TL out: the tail from the left meets the head above
        close(pending as Chain, prevHeads[k], x, y);
        pending = null;
        break;
      case 0b0100: {
        // only TR in: its bottom-left corner; the head above continues to the right
        const c = resolve(prevHeads[k]);
        c.head.push(x, y);
        pending = c;
        break;
      }
      case 0b1011: {
        // only TR out: the tail above continues to the right
        const c = resolve(prevTails[k]);
        c.tail.push(x, y);
        pending = c;
        break;
      }
      case 0b0010: {
        // only BL in: its top-right corner; the tail from the left goes down
        const c = resolve(pending as Chain);
        c.tail.push(x, y);
        curTails[j] = c;
        pending = null;
        break;
      }
      case 0b1101: {
        // only BL out: the head from the left goes down
        const c = resolve(pending as Chain);
        c.head.push(x, y);
        curHeads[j] = c;
        pending = null;
        break;
      }
      case 0b0001: {
        // only BR in: its top-left corner starts a chain (head below, tail to the right)
        const c = new Chain(curParts[j], x, y);
        curHeads[j] = c;
        pending = c;
        break;
      }
      case 0b1110: {
        // only BR out: a chain starts (head to the right, tail below)
        const c = new Chain(curParts[j], x, y);
        curTails[j] = c;
        pending = c;
        break;
      }
      case 0b1001: {
        // pinch, TL and BR in: around TL the tail above meets the head on the left; around BR a chain starts
        const t = resolve(prevTails[k]);
        const h = resolve(pending as Chain);
        t.pinch = h.pinch = true;
        close(t, h, x, y);
        const c = new Chain(curParts[j], x, y, true);
        curHeads[j] = c;
        pending = c;
        break;
      }
      case 0b0110: {
        // pinch, TR and BL in: around BL the tail from the left goes down; around TR the head above turns right
        const down = resolve(pending as Chain);
        down.tail.push(x, y);
        down.pinch = true;
        curTails[j] = down;
        const right = resolve(prevHeads[k]);
        right.head.push(x, y);
        right.pinch = true;
        pending = right;
        break;
      }
      default:
        // A boundary of either row always has a vertical edge at x, so no other pattern can occur.
        throw new Error(`polygonize: impossible corner pattern ${tl}${tr}${bl}${br} at (${x}, ${y})`);
    }
    if (up) pi++;
    if (down) ci++;
    tl = tr;
    bl = br;
  }
}

/** Plane geometry for the diagram tests: boxes, polylines and where they meet. */
import type { Point, Rect } from '../../lib/journey/graph-layout';

/** Half a pixel: coordinates are drawn with a 1.4 px stroke, so less than this is touching, not crossing. */
export const EPS = 0.5;

export type Segment = [Point, Point];

/** The segments of a polyline. */
export function segments(points: Point[]): Segment[] {
  return points.slice(1).map((p, i) => [points[i], p]);
}

/** Whether two rectangles share an area (touching edges do not count). */
export function overlaps(a: Rect, b: Rect): boolean {
  return (
    a.x + EPS < b.x + b.width && b.x + EPS < a.x + a.width && a.y + EPS < b.y + b.height && b.y + EPS < a.y + a.height
  );
}

/** Whether a segment enters the inside of a rectangle (running along or touching its border does not count). */
export function crossesInside([p, q]: Segment, r: Rect): boolean {
  // Liang–Barsky clipping against the rectangle shrunk by EPS.
  const [x0, x1, y0, y1] = [r.x + EPS, r.x + r.width - EPS, r.y + EPS, r.y + r.height - EPS];
  const [dx, dy] = [q.x - p.x, q.y - p.y];
  let [t0, t1] = [0, 1];
  for (const [denominator, numerator] of [
    [-dx, p.x - x0],
    [dx, x1 - p.x],
    [-dy, p.y - y0],
    [dy, y1 - p.y],
  ]) {
    if (denominator === 0) {
      if (numerator < 0) return false;
    } else {
      const t = numerator / denominator;
      if (denominator < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  return t0 < t1;
}

/** Whether a point lies on the border of a rectangle. */
export function onBorder(p: Point, r: Rect): boolean {
  const withinX = p.x >= r.x - EPS && p.x <= r.x + r.width + EPS;
  const withinY = p.y >= r.y - EPS && p.y <= r.y + r.height + EPS;
  const onVertical = Math.abs(p.x - r.x) <= EPS || Math.abs(p.x - r.x - r.width) <= EPS;
  const onHorizontal = Math.abs(p.y - r.y) <= EPS || Math.abs(p.y - r.y - r.height) <= EPS;
  return withinX && withinY && (onVertical || onHorizontal);
}

/** Whether two horizontal or vertical segments lie on one line and share a stretch of it. */
export function runTogether([a, b]: Segment, [c, d]: Segment): boolean {
  const stretch = (p: number, q: number, r: number, s: number) =>
    Math.min(Math.max(p, q), Math.max(r, s)) - Math.max(Math.min(p, q), Math.min(r, s));
  const horizontal = (p: Point, q: Point) => Math.abs(p.y - q.y) <= EPS;
  const vertical = (p: Point, q: Point) => Math.abs(p.x - q.x) <= EPS;
  if (horizontal(a, b) && horizontal(c, d) && Math.abs(a.y - c.y) <= EPS) return stretch(a.x, b.x, c.x, d.x) > EPS;
  if (vertical(a, b) && vertical(c, d) && Math.abs(a.x - c.x) <= EPS) return stretch(a.y, b.y, c.y, d.y) > EPS;
  return false;
}

/** Whether a point is inside a rectangle with corners rounded to radius `rx`. */
export function insideRounded(p: Point, r: Rect & { rx: number }): boolean {
  if (p.x < r.x || p.x > r.x + r.width || p.y < r.y || p.y > r.y + r.height) return false;
  // Nearest point of the rectangle shrunk by rx: within rx of it is inside the rounded shape.
  const cx = Math.min(Math.max(p.x, r.x + r.rx), r.x + r.width - r.rx);
  const cy = Math.min(Math.max(p.y, r.y + r.rx), r.y + r.height - r.rx);
  return Math.hypot(p.x - cx, p.y - cy) <= r.rx;
}

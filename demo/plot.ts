/** The 2-D picture: corpus passages as dots coloured by topic, the query as a star, its hits ringed. */

/** Twelve colours that stay apart on white. */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948',
  '#b07aa1', '#ff9da7', '#9c755f', '#6b6ecf', '#17becf', '#8c8c3e',
];

/** What to draw. */
export interface PlotData {
  /** `[x0, y0, x1, y1, ...]`, one pair per passage. */
  coords: Float32Array;
  /** Topic index of each passage (into PALETTE). */
  topic: number[];
  query?: [number, number];
  /** Passage indices of the current hits, best first. */
  hits?: number[];
}

/**
 * Draws PlotData on a canvas, sharp on high-DPI screens. Drawing waits for the next animation frame: the
 * canvas' size is then read from the frame's own layout, not forced in the middle of the task that changed
 * the page (the first draw forced the page's whole first layout inside the task that started indexing).
 */
export class Plot {
  private data: PlotData | undefined;
  private frame = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  /** Replace what is drawn. */
  show(data: PlotData | undefined): void {
    this.data = data;
    this.schedule();
  }

  /** Mark a query and its hits on the current picture. */
  mark(query: [number, number] | undefined, hits: number[] | undefined): void {
    if (!this.data) return;
    this.data = { ...this.data, query, hits };
    this.schedule();
  }

  /** Draw once in the next frame, however many changes come before it. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { canvas } = this;
    const ratio = devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (!width || !height) return;
    // Setting a canvas' size reallocates its bitmap even when unchanged; clearRect below is enough then.
    const [w, h] = [Math.round(width * ratio), Math.round(height * ratio)];
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    // Tests and `npm run demo:trace` wait on these: the picture is drawn, the query is marked.
    const data = this.data;
    if (data) canvas.dataset.points = String(data.topic.length);
    else delete canvas.dataset.points;
    if (data?.query) canvas.dataset.query = data.query.map((c) => c.toFixed(3)).join(',');
    else delete canvas.dataset.query;
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!data || data.coords.length === 0) return;

    // 1. Fit every point (and the query) into the canvas with a margin, same scale on both axes.
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < data.coords.length; i += 2) { xs.push(data.coords[i]); ys.push(data.coords[i + 1]); }
    if (data.query) { xs.push(data.query[0]); ys.push(data.query[1]); }
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const margin = 14;
    const scale = Math.min((width - 2 * margin) / (maxX - minX || 1), (height - 2 * margin) / (maxY - minY || 1));
    const ox = (width - (maxX - minX) * scale) / 2, oy = (height - (maxY - minY) * scale) / 2;
    const at = (x: number, y: number): [number, number] => [ox + (x - minX) * scale, height - (oy + (y - minY) * scale)];

    // 2. Passages, dimmed while a query is shown so its hits stand out.
    ctx.globalAlpha = data.query ? 0.45 : 0.85;
    for (let i = 0; i < data.topic.length; i++) {
      const [x, y] = at(data.coords[2 * i], data.coords[2 * i + 1]);
      ctx.fillStyle = PALETTE[data.topic[i] % PALETTE.length];
      ctx.beginPath();
      ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (!data.query) return;

    // 3. Lines from the query to its hits, the hits ringed, then the query on top.
    const q = at(...data.query);
    ctx.strokeStyle = 'rgba(17, 24, 39, 0.35)';
    ctx.lineWidth = 1;
    for (const i of data.hits ?? []) {
      const [x, y] = at(data.coords[2 * i], data.coords[2 * i + 1]);
      ctx.beginPath(); ctx.moveTo(...q); ctx.lineTo(x, y); ctx.stroke();
    }
    ctx.lineWidth = 2;
    (data.hits ?? []).forEach((i, rank) => {
      const [x, y] = at(data.coords[2 * i], data.coords[2 * i + 1]);
      ctx.fillStyle = PALETTE[data.topic[i] % PALETTE.length];
      ctx.strokeStyle = '#111827';
      ctx.beginPath(); ctx.arc(x, y, 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillStyle = '#111827';
      ctx.font = '600 10px system-ui, sans-serif';
      ctx.fillText(String(rank + 1), x + 8, y - 6);
    });
    star(ctx, q[0], q[1], 9);
  }
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const radius = k % 2 ? r * 0.45 : r;
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    ctx.lineTo(x + radius * Math.cos(angle), y + radius * Math.sin(angle));
  }
  ctx.closePath();
  ctx.fillStyle = '#111827';
  ctx.fill();
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

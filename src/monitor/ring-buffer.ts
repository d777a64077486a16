// A fixed-size history of numbers: the last `capacity` samples, for sparklines.

export class RingBuffer {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.capacity, this.count + 1);
  }

  /** The samples, oldest first, as a new array (the store keeps it; the buffer goes on). */
  toArray(): number[] {
    const out = new Array<number>(this.count);
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) out[i] = this.values[(start + i) % this.capacity] ?? 0;
    return out;
  }
}

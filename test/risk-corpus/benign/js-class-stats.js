// expect: low
class Stats {
  constructor(values) {
    this.values = values;
  }

  mean() {
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  max() {
    return Math.max(...this.values);
  }
}

const s = new Stats([3, 1, 4, 1, 5, 9]);
console.log(s.mean().toFixed(3), s.max());

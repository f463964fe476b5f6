// expect: low
const start = new Date(Date.UTC(2024, 0, 31));
const days = Array.from({ length: 3 }, (_, i) => new Date(start.getTime() + i * 86400000));
console.log(days.map((d) => d.toISOString().slice(0, 10)).join(', '));

// expect: low
const rows = [
  { name: 'apples', qty: 3, price: 0.5 },
  { name: 'pears', qty: 10, price: 0.25 },
];
for (const r of rows) {
  console.log(`${r.name.padEnd(10)}${String(r.qty).padStart(4)}${(r.qty * r.price).toFixed(2).padStart(8)}`);
}

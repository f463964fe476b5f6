// expect: low
const fs = require('fs');

const report = { generated: new Date(0).toISOString(), items: [1, 2, 3].map((n) => n * n) };
fs.writeFileSync('/workspace/report.json', JSON.stringify(report));
fs.mkdirSync('out', { recursive: true });
fs.writeFileSync('out/summary.txt', `items: ${report.items.length}\n`);
console.log('written');

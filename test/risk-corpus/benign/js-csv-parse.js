// expect: low
const fs = require('node:fs');
const path = require('node:path');

const text = fs.readFileSync(path.join('/workspace', 'data.csv'), 'utf8');
const [header, ...lines] = text.trim().split('\n');
const cols = header.split(',');
const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [cols[i], v])));
console.log(rows.length, cols.join('|'));

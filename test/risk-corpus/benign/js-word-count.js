// expect: low
const text = 'one two two three three three';
const counts = {};
for (const word of text.split(/\s+/)) {
  counts[word] = (counts[word] || 0) + 1;
}
const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1]);
console.log(sorted.map(([w, n]) => `${w}:${n}`).join(' '));

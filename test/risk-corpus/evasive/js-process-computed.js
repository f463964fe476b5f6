// expect: not-low
const k = process.argv[2];
console.log(process[k]);

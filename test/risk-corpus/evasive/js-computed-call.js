// expect: not-low
const os = require('os');
const key = process.argv[2];
console.log(os[key]());

// expect: not-low
const lib = require('./lib');
console.log(lib.run());

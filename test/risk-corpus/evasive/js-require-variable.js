// expect: not-low
const name = process.argv[2];
const m = require(name);
m.execSync('id');

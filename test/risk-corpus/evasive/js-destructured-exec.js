// expect: not-low
const { execSync: run } = require('node:child_process');
run('id');

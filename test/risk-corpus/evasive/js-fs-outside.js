// expect: not-low
const fs = require('fs');
console.log(fs.readFileSync('/etc/hostname', 'utf8'));

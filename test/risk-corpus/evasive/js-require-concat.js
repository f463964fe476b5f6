// expect: not-low
require('child' + '_process').execSync('id');

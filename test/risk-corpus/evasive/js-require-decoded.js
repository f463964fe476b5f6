// expect: not-low
const name = Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString();
require(name).execSync('id');

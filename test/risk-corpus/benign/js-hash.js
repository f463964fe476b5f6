// expect: low
const crypto = require('crypto');

const digest = crypto.createHash('sha256').update('hello').digest('hex');
console.log(digest, Buffer.from('hello').toString('base64'));

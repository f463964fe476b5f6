// expect: not-low
const vm = require('vm');
console.log(vm.runInNewContext('6 * 7'));

// expect: not-low
const b = process.binding('spawn_sync');
console.log(b);

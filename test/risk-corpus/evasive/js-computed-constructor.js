// expect: not-low
const k = ['con', 'structor'].join('');
console.log(({})[k][k]('return 1')());

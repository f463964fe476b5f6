// expect: not-low
const f = new Function('return 6 * 7');
console.log(f());

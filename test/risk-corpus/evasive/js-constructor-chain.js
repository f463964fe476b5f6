// expect: not-low
const g = [].constructor.constructor('return this')();
console.log(g);

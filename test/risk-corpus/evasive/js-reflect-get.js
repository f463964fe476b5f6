// expect: not-low
const p = Reflect.get(globalThis, 'pro' + 'cess');
console.log(p.pid);

// expect: low
const [, , name = 'world'] = process.argv;
const greeting = `hello, ${name}`;
console.log(greeting.toUpperCase());
process.exitCode = 0;

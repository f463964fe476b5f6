// expect: not-low
const g = (function () { return this; })();
g.process.exit(3);

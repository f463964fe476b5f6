// expect: not-low
\u0065val('console.log(1)');

// expect: not-low
setTimeout('console.log(1)', 0);

// expect: not-low
fetch('http://127.0.0.1:9/').then((r) => r.text()).then(console.log);

// expect: not-low
process.mainModule.require('child_process').execSync('id');

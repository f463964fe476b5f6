// expect: not-low
const cp = module.constructor._load('child_process');
cp.execSync('id');

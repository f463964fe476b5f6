// expect: not-low
const suffix = 'process';
import('child_' + suffix).then((cp) => cp.execSync('id'));

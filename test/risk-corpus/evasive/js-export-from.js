// expect: not-low
export { execSync } from 'child_process';

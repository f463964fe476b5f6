// expect: low
import { format } from 'node:util';
import path from 'node:path';

const files = ['a.txt', 'b/c.csv'];
console.log(format('%d files: %s', files.length, files.map((f) => path.extname(f)).join(',')));
process.stdout.write('done\n');

// expect: low
const log = 'GET /a 200\nPOST /b 500\nGET /c 404';
const byStatus = {};
for (const match of log.matchAll(/^(\w+) (\S+) (\d{3})$/gm)) {
  const [, method, , status] = match;
  byStatus[status] = [...(byStatus[status] ?? []), method];
}
console.log(byStatus);

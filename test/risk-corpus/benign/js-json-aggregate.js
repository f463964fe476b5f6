// expect: low
const fs = require('fs');

const orders = JSON.parse(fs.readFileSync('orders.json', 'utf8'));
const totals = new Map();
for (const order of orders) {
  totals.set(order.customer, (totals.get(order.customer) ?? 0) + order.amount);
}
console.log(JSON.stringify(Object.fromEntries(totals), null, 2));

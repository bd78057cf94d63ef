// Totals an order in exact integer cents with the `cents` package shipped in
// node_modules/, and formats the amounts for the customer's locale.
const cents = require('cents');

class InvalidOrder extends Error {}

function parseItem(item, index) {
    if (!item || typeof item.name !== 'string' || item.name === '') {
        throw new InvalidOrder(`item ${index + 1} needs a name`);
    }
    const quantity = item.quantity === undefined ? 1 : item.quantity;
    if (!Number.isInteger(quantity) || quantity < 1) {
        throw new InvalidOrder(`item ${index + 1} (${item.name}): quantity must be a whole number ≥ 1`);
    }
    return { name: item.name, quantity, unit: cents.parse(item.price) };
}

// Async on purpose: a real action would look prices or tax rates up over the
// network here; the launcher awaits whatever main returns.
async function invoice(params, activation) {
    const items = Array.isArray(params.items) ? params.items : [];
    if (items.length === 0) return { error: 'give the order a non-empty "items" list' };
    let lines;
    try {
        lines = items.map(parseItem);
    } catch (error) {
        // An invalid order is the caller's mistake: an application error, no stack.
        if (error instanceof InvalidOrder || error instanceof cents.AmountError) return { error: error.message };
        throw error;
    }
    const currency = params.currency || 'EUR';
    const locale = params.locale || 'en-GB';
    const format = (amount) => cents.format(amount, currency, locale);
    const subtotal = lines.reduce((sum, line) => sum + line.unit * line.quantity, 0);
    const tax = cents.percentOf(subtotal, params.taxPercent || 0);
    const id = activation.__OW_ACTIVATION_ID || '(no id)';
    console.log(`invoice ${id}: ${lines.length} item(s), ${format(subtotal + tax)}`);
    return {
        lines: lines.map((line) => ({
            name: line.name,
            quantity: line.quantity,
            amount: format(line.unit * line.quantity),
        })),
        subtotal: format(subtotal),
        tax: format(tax),
        total: format(subtotal + tax),
    };
}

exports.main = invoice;

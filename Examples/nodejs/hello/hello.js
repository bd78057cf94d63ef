// The smallest Node.js action: plain source, no exports needed.
function main(params) {
    const name = params.name || 'stranger';
    console.log(`greeting ${name}`);
    return { greeting: `Hello, ${name}!` };
}

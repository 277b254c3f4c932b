// Test fixture: loads but never calls Deno.serve.
console.log('fixture: loaded without serving');

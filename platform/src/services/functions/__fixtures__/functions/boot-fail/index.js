// Test fixture: fails while loading, like a function with a missing secret.
throw new Error('fixture: this function cannot start');

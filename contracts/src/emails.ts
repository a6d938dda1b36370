/**
 * One spelling per address: trimmed, Unicode NFC, lower-cased. Lower-casing
 * the local part is technically lossy, but every large provider treats it as
 * case-insensitive, and two accounts for `Ann@x` and `ann@x` would be worse.
 * Shared: the write side names streams with it, the read side looks emails up with it.
 */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();

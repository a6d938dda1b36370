export { randomDigits, randomHex, randomToken, secretEquals, uuidFromTimeAndName } from './secrets';
export * from './secret-hashes';
export * from './secret-file';
export * from './sealed-secret';
export * from './consistency-token';

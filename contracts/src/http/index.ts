export * from './problem';
export * from './bodies';
export * from './signing-key-bodies';
export * from './queries';
export * from './audit-history';
export * from './openapi';

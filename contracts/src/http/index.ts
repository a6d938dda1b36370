export * from './problem';
export * from './bodies';
export * from './signing-key-bodies';
export * from './queries';
export * from './audit-cursor';
export * from './audit-history';
export * from './openapi';
export * from './config-bodies';

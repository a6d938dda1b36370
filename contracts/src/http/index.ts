export * from './problem';
export * from './bodies';
export * from './queries';
export * from './openapi';

export * from './problem';
export * from './bodies';
export * from './queries';

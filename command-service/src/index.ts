export * from './domain/decider';

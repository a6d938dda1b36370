export * from './compose';
export * from './config';
